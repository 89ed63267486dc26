@function:NdkConnectWithSharedEndpoint @function:NdkConnect @function:NdkAccept @function:NdkReject @function:NdkCompleteConnect @function:NdkGetConnectionData @function:NdkGetLocalAddress @function:NdkGetPeerAddress @function:NdkDisconnect @function:NdkListen @states
Feature: Every call in every state
  The state table: what each SPI call on a connector, a shared endpoint and a listener returns in
  each state of the object. A status by name is the final status (inline, or through the
  completion after STATUS_PENDING); "an error" is any status of error severity (NDK names no code,
  so the kit records the one the provider gives); "a pending request" is a request that returned
  STATUS_PENDING and stays pending because its outcome waits for someone; "a new attempt or an
  error" is a request that stays pending or fails, never succeeds at once; "STATUS_SUCCESS or an
  error" leaves the choice to the provider, and an address it writes must be the right one.
  Each table's clause says whether the row is NDK's text or the kit's reading where NDK is silent.

  The states of a connector: idle (created, no connect yet); connecting (its connect reached the
  peer's listener, which has not answered); connect failed (the peer rejected it); accepted by the
  peer (its connect completed with STATUS_SUCCESS, NdkCompleteConnect not yet called); connected
  (established: connect, accept, complete-connect); disconnecting (the peer disconnected and this
  side's disconnect event came; this side has not disconnected); disconnected (this side's
  NdkDisconnect completed); an incoming request (the passive connector a connect event delivered,
  not yet accepted or rejected). A connector whose close was issued has no row: the consumer must not
  touch an object after starting its close (the lifetime page), and a connector's close ends when
  the provider has torn the connection down, so a call after it would race the close completion,
  after which a provider may have freed the object; what a close does to a connector's pending
  requests is object-lifetime.feature's.

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_connect_with_shared_endpoint
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_complete_connect
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_get_connection_data
  Source: https://learn.microsoft.com/windows-hardware/drivers/network/ndkpi-object-lifetime-requirements

  Background:
    Given the peer listens on its first address as L
    And a shared endpoint SE on the local host's first address with port 0
    And connectors C1 and C2 on the local host, each with its own QP

  Rule: A connector answers each call according to its state

    Scenario Outline: A connector, <state>, asked to <call>, returns <expected>
      When the connector, <state>, is asked to <call>
      Then it returns <expected>

      @clause:ST-CONNECT-FROM-IDLE
      Examples: An idle connector starts a connection (NDK's text)
        | state | call                              | expected          |
        | idle  | connect with NdkConnect           | a pending request |
        | idle  | connect through a shared endpoint | a pending request |

      @clause:CSE-CONNECTOR-BUSY
      Examples: A connector with a connection, or one being made, takes no second connect (kit's reading)
        | state                | call                              | expected |
        | connecting           | connect with NdkConnect           | an error |
        | connecting           | connect through a shared endpoint | an error |
        | accepted by the peer | connect with NdkConnect           | an error |
        | accepted by the peer | connect through a shared endpoint | an error |
        | connected            | connect with NdkConnect           | an error |
        | connected            | connect through a shared endpoint | an error |
        | disconnecting        | connect with NdkConnect           | an error |
        | disconnecting        | connect through a shared endpoint | an error |
        | disconnected         | connect with NdkConnect           | an error |
        | disconnected         | connect through a shared endpoint | an error |
        | an incoming request  | connect with NdkConnect           | an error |
        | an incoming request  | connect through a shared endpoint | an error |

      @clause:ST-RETRY-ON-FAILED-CONNECTOR
      Examples: A connector whose connect failed may or may not take a new one (kit's reading)
        | state          | call                              | expected                  |
        | connect failed | connect with NdkConnect           | a new attempt or an error |
        | connect failed | connect through a shared endpoint | a new attempt or an error |

      @clause:ST-INCOMING-REQUEST
      Examples: An incoming request is accepted, rejected, and carries the active side's data (NDK's text)
        | state               | call                      | expected          |
        | an incoming request | accept                    | a pending request |
        | an incoming request | reject                    | STATUS_SUCCESS    |
        | an incoming request | read its connection data  | STATUS_SUCCESS    |

      @clause:ST-ACCEPT-INCOMING-ONLY
      Examples: Only an incoming request can be accepted (kit's reading)
        | state                | call   | expected |
        | idle                 | accept | an error |
        | connecting           | accept | an error |
        | connect failed       | accept | an error |
        | accepted by the peer | accept | an error |
        | connected            | accept | an error |
        | disconnecting        | accept | an error |
        | disconnected         | accept | an error |

      @clause:ST-ACCEPTED-BY-THE-PEER
      Examples: A connector whose connect completed reads the peer's terms, then completes or rejects (NDK's text)
        | state                | call                     | expected       |
        | accepted by the peer | reject                   | STATUS_SUCCESS |
        | accepted by the peer | complete the connection  | STATUS_SUCCESS |
        | accepted by the peer | read its connection data | STATUS_SUCCESS |

      @clause:ST-REJECT-NOTHING
      Examples: A reject needs an unanswered request or a completed connect (kit's reading)
        | state          | call   | expected |
        | idle           | reject | an error |
        | connecting     | reject | an error |
        | connect failed | reject | an error |
        | connected      | reject | an error |
        | disconnecting  | reject | an error |
        | disconnected   | reject | an error |

      @clause:SEQ-COMPLETE-CONNECT-INVALID
      Examples: NdkCompleteConnect on a connector that is not connecting (NDK's text)
        | state          | call                    | expected                  |
        | idle           | complete the connection | STATUS_CONNECTION_INVALID |
        | connect failed | complete the connection | STATUS_CONNECTION_INVALID |
        | connected      | complete the connection | STATUS_CONNECTION_INVALID |
        | disconnecting  | complete the connection | STATUS_CONNECTION_INVALID |
        | disconnected   | complete the connection | STATUS_CONNECTION_INVALID |

      @clause:ST-COMPLETE-CONNECT-TOO-EARLY
      Examples: NdkCompleteConnect before the peer accepted, or on the passive side (kit's reading)
        | state               | call                    | expected |
        | connecting          | complete the connection | an error |
        | an incoming request | complete the connection | an error |

      @clause:ST-CONNECTION-DATA-NONE-YET
      Examples: No connection data before the peer answered (kit's reading)
        | state      | call                     | expected |
        | idle       | read its connection data | an error |
        | connecting | read its connection data | an error |

      @clause:ST-CONNECTION-DATA-AFTER-REJECT
      Examples: A reject carries private data the active side reads (NDK's text)
        | state          | call                     | expected       |
        | connect failed | read its connection data | STATUS_SUCCESS |

      @clause:ST-CONNECTION-DATA-AFTER-COMPLETE
      Examples: Connection data once the connection is complete is the provider's choice (NDK's text: a consumer does not ask)
        | state         | call                     | expected                   |
        | connected     | read its connection data | STATUS_SUCCESS or an error |
        | disconnecting | read its connection data | STATUS_SUCCESS or an error |
        | disconnected  | read its connection data | STATUS_SUCCESS or an error |

      @clause:ST-ADDRESSES-NONE-YET
      Examples: An idle connector has no addresses (kit's reading)
        | state | call                  | expected |
        | idle  | read its local address | an error |
        | idle  | read its peer address  | an error |

      @clause:ST-ADDRESSES-OF-A-CONNECTION
      Examples: A connection, or one being made, has its two addresses (NDK's text; kit's reading before it is established)
        | state                | call                   | expected                   |
        | connecting           | read its local address | STATUS_SUCCESS             |
        | connecting           | read its peer address  | STATUS_SUCCESS or an error |
        | an incoming request  | read its local address | STATUS_SUCCESS             |
        | an incoming request  | read its peer address  | STATUS_SUCCESS             |
        | accepted by the peer | read its local address | STATUS_SUCCESS             |
        | accepted by the peer | read its peer address  | STATUS_SUCCESS             |
        | connected            | read its local address | STATUS_SUCCESS             |
        | connected            | read its peer address  | STATUS_SUCCESS             |

      @clause:ST-ADDRESSES-AFTER
      Examples: After a failed or ended connection the addresses are the provider's choice (kit's reading)
        | state          | call                   | expected                   |
        | connect failed | read its local address | STATUS_SUCCESS or an error |
        | connect failed | read its peer address  | STATUS_SUCCESS or an error |
        | disconnecting  | read its local address | STATUS_SUCCESS or an error |
        | disconnecting  | read its peer address  | STATUS_SUCCESS or an error |
        | disconnected   | read its local address | STATUS_SUCCESS or an error |
        | disconnected   | read its peer address  | STATUS_SUCCESS or an error |

      @clause:ST-DISCONNECT-CONNECTED
      Examples: A connection disconnects, and a side whose peer disconnected answers with its own (NDK's text; kit's reading for the answer)
        | state         | call       | expected       |
        | connected     | disconnect | STATUS_SUCCESS |
        | disconnecting | disconnect | STATUS_SUCCESS |

      @clause:ST-DISCONNECT-NOT-CONNECTED
      Examples: Only an established connection disconnects, once (kit's reading)
        | state                | call       | expected |
        | idle                 | disconnect | an error |
        | connecting           | disconnect | an error |
        | connect failed       | disconnect | an error |
        | accepted by the peer | disconnect | an error |
        | disconnected         | disconnect | an error |
        | an incoming request  | disconnect | an error |

  Rule: A shared endpoint answers each call according to its state

    The states of a shared endpoint: open (no connector uses it); in use (C1 is connected through
    it to L); closing (its close was issued while C1 is still open, so the close pends).

    Scenario Outline: A shared endpoint, <state>, asked to <call>, returns <expected>
      When the shared endpoint, <state>, is asked to <call>
      Then it returns <expected>

      @clause:ST-SE-LOCAL-ADDRESS
      Examples: A shared endpoint reports its address (NDK's text)
        | state  | call                   | expected       |
        | open   | read its local address | STATUS_SUCCESS |
        | in use | read its local address | STATUS_SUCCESS |

      @clause:ST-CONNECT-FROM-IDLE
      Examples: An open shared endpoint carries a new connection (NDK's text)
        | state | call                            | expected          |
        | open  | carry a connection from C2 to L | a pending request |

      @clause:CSE-ADDRESS-ALREADY-EXISTS
      Examples: A shared endpoint in use refuses a second connection with the same four-tuple (NDK's text)
        | state  | call                            | expected                      |
        | in use | carry a connection from C2 to L | STATUS_ADDRESS_ALREADY_EXISTS |

      @clause:ST-SE-ADDRESS-IN-USE
      Examples: The address of an open shared endpoint is in use (NDK's text)
        | state  | call                                      | expected                 |
        | open   | lend its address to a new shared endpoint | STATUS_SHARING_VIOLATION |
        | open   | lend its address to a listener            | STATUS_SHARING_VIOLATION |
        | open   | lend its address to NdkConnect            | STATUS_SHARING_VIOLATION |
        | in use | lend its address to a new shared endpoint | STATUS_SHARING_VIOLATION |
        | in use | lend its address to a listener            | STATUS_SHARING_VIOLATION |
        | in use | lend its address to NdkConnect            | STATUS_SHARING_VIOLATION |

      @clause:LT-SE-ADDRESS-HELD
      Examples: A closing shared endpoint keeps its address while its connector is open (kit's reading of the status)
        | state   | call                                      | expected                 |
        | closing | lend its address to a new shared endpoint | STATUS_SHARING_VIOLATION |
        | closing | lend its address to a listener            | STATUS_SHARING_VIOLATION |
        | closing | lend its address to NdkConnect            | STATUS_SHARING_VIOLATION |

      @clause:CSE-SE-CLOSING
      Examples: A closing shared endpoint carries no new connection (kit's reading of the status)
        | state   | call                            | expected |
        | closing | carry a connection from C2 to L | an error |

      @clause:ST-CLOSING-ANY
      Examples: A shared endpoint whose close was issued is not used again (NDK's text)
        | state   | call                   | expected                   |
        | closing | read its local address | STATUS_SUCCESS or an error |

  Rule: A listener answers each call according to its state

    The states of the peer's listener LX: created (not listening yet); listening (on the peer's
    first address with port 0); paused (listening, connect events paused with
    NdkControlConnectEvents); closing (its close was issued while a connection it accepted is still
    open, so the close pends).

    Scenario Outline: A listener, <state>, asked to <call>, returns <expected>
      When the listener, <state>, is asked to <call>
      Then it returns <expected>

      @clause:ST-LISTEN-ONCE
      Examples: A created listener listens (NDK's text); one already listening does not listen again (kit's reading)
        | state     | call   | expected       |
        | created   | listen | STATUS_SUCCESS |
        | listening | listen | an error       |
        | paused    | listen | an error       |

      @clause:ST-LISTENER-ADDRESS
      Examples: A listener has an address once it listens (NDK's text; kit's reading before and while paused)
        | state     | call                   | expected       |
        | created   | read its local address | an error       |
        | listening | read its local address | STATUS_SUCCESS |
        | paused    | read its local address | STATUS_SUCCESS |

      @clause:ST-CONNECT-FROM-IDLE
      Examples: A listening listener takes a request, which waits for its answer (NDK's text)
        | state     | call                           | expected          |
        | listening | take a connect request from C1 | a pending request |

      @clause:CSE-REFUSED-PAUSED
      Examples: A paused listener is as if there were none (NDK's text, the kit's reading of the status)
        | state  | call                           | expected                  |
        | paused | take a connect request from C1 | STATUS_CONNECTION_REFUSED |

      @clause:CSE-REFUSED-LISTENER-CLOSING
      Examples: A closing listener refuses new requests (NDK's text)
        | state   | call                           | expected                  |
        | closing | take a connect request from C1 | STATUS_CONNECTION_REFUSED |

      @clause:ST-CLOSING-ANY
      Examples: A listener whose close was issued is not used again (NDK's text)
        | state   | call                   | expected                   |
        | closing | listen                 | STATUS_SUCCESS or an error |
        | closing | read its local address | STATUS_SUCCESS or an error |
