@function:NdkConnectWithSharedEndpoint
Feature: NdkConnectWithSharedEndpoint starts a connection from a shared local address
  NdkConnectWithSharedEndpoint (NDK_FN_CONNECT_WITH_SHARED_ENDPOINT) starts a connection request
  from the local address of a shared endpoint to a remote address. It lets a consumer use one
  local address (for example 10.1.1.1:9999) for many outgoing connections whose destinations
  differ.

  Every error below may be reported inline (the call returns it) or asynchronously (the call
  returns STATUS_PENDING and the request completion reports it). RequestContext is optional. Each scenario accepts either
  path, records which one it saw, and checks NDK's completion rule on it: never a completion
  after an inline status; exactly one completion, carrying the caller's RequestContext, after
  STATUS_PENDING; a completion called inside the call only if the call returns STATUS_PENDING.

  The listener and the shared endpoint of the background take explicit ports, drawn afresh on every
  run from the run seed, on an address drawn from each host's IPv4 addresses: the local host's
  ports from 10000-19999 and the peer's from 20000-29999, so that a local port never equals a
  destination port by accident (the scenario's report gives the seed and what it drew).

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_connect_with_shared_endpoint

  Background:
    Given the peer listens on an address drawn from its IPv4 addresses, on a port drawn from 20000 to 29999, as L
    And a shared endpoint SE on an address drawn from the local host's IPv4 addresses, on a port drawn from 10000 to 19999
    And connectors C1 and C2 on the local host, each with its own QP

  Rule: A connect the peer accepts succeeds

    @clause:CSE-SUCCESS
    Scenario: The peer accepts the request
      When C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds

    @clause:CSE-CONTEXT-OPTIONAL @clause:ASYNC-CONTEXT-RETURNED
    Scenario: A connect without a request context
      When C1 connects through SE to L with no request context
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds
      And the connect of C1 followed the completion rule

    @clause:SE-MANY-DESTINATIONS @clause:SE-CONNECTOR-LOCAL-ADDRESS
    Scenario: A number of connectors drawn from 2 to 8 share one endpoint, each to its own destination
      Given the number of connectors K is a number drawn from 2 to 8
      When K connectors connect through SE, each to its own listener of the peer, the peer accepting each
      Then every one of those connections is established, each from the address of SE

  Rule: Each documented error is reported inline or through the completion

    @clause:CSE-INSUFFICIENT-RESOURCES
    Scenario: The local adapter has no resources left for the connection
      Given the local adapter's resources are exhausted
      When C1 connects through SE to L
      Then the connect of C1 fails with STATUS_INSUFFICIENT_RESOURCES

    @clause:CSE-NETWORK-UNREACHABLE
    Scenario: The destination's network cannot be reached
      When C1 connects through SE to a destination in an unreachable network
      Then the connect of C1 fails with STATUS_NETWORK_UNREACHABLE

    @clause:CSE-HOST-UNREACHABLE
    Scenario: The destination host cannot be reached
      When C1 connects through SE to an unreachable host
      Then the connect of C1 fails with STATUS_HOST_UNREACHABLE

    @clause:CSE-IO-TIMEOUT
    Scenario: The destination never answers
      When C1 connects through SE to a host that never answers
      Then the connect of C1 fails with STATUS_IO_TIMEOUT

  Rule: A four-tuple carries one connection at a time

    @clause:CSE-ADDRESS-ALREADY-EXISTS
    Scenario: A second connection with the same four-tuple is refused as a duplicate
      Given C1 is connected through SE to L, accepted as P1
      When C2 connects through SE to L
      Then the connect of C2 fails with STATUS_ADDRESS_ALREADY_EXISTS
      And L receives no further connect event

    @clause:CSE-BACKLOG-FREED
    Scenario: Answering a held request frees its place in the listener's backlog
      Given L holds as many unanswered connect requests as its backlog allows
      When BP1 rejects the connection
      And C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the reject returns STATUS_SUCCESS
      And the connect of C1 succeeds

    @clause:CSE-BACKLOG-FREED
    Scenario: Accepting a held request frees its place in the listener's backlog
      Given L holds as many unanswered connect requests as its backlog allows
      When the peer accepts the held request BP1
      And C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds

    @clause:CSE-BACKLOG-FREED
    Scenario: A held request whose active side closed frees its place once answered
      Given L holds as many unanswered connect requests as its backlog allows
      When the consumer closes B1 and the close completes
      And the peer accepts the held request BP1
      And C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the accept of BP1 fails with STATUS_CONNECTION_ABORTED
      And the connect of C1 succeeds

    @clause:CSE-BACKLOG-FREED
    Scenario: Closing a held request frees its place in the listener's backlog
      Given L holds as many unanswered connect requests as its backlog allows
      When the peer closes BP1
      And C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds

    @clause:CSE-ADDRESS-ALREADY-EXISTS
    Scenario: A duplicate four-tuple is refused while the first connect is still in progress
      When C1 connects through SE to L
      And the peer receives a connect request on L as P1
      And C2 connects through SE to L
      Then the connect of C2 fails with STATUS_ADDRESS_ALREADY_EXISTS

    @clause:CSE-FAILED-CONNECT-HOLDS-NOTHING
    Scenario: A failed NdkConnect gives its local address back
      When C1 connects from the local host's first address with port 7400 to a destination in an unreachable network with NdkConnect
      Then the dedicated connect of C1 fails with STATUS_NETWORK_UNREACHABLE
      When C2 connects from the local host's first address with port 7400 to L with NdkConnect
      And the peer accepts the request on L as P2
      Then the dedicated connect of C2 succeeds

    @clause:CSE-FAILED-CONNECT-HOLDS-NOTHING
    Scenario: A refused connect holds no four-tuple, though its connector is still open
      When C1 connects through SE to L
      And the peer rejects the request on L
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      When C2 connects through SE to L
      And the peer accepts the request on L as P2
      Then the connect of C2 succeeds

    @clause:CSE-FOUR-TUPLE-RELEASED
    Scenario: Closing the first connector frees its four-tuple for a new connection
      Given C1 is connected through SE to L, accepted as P1
      When the consumer closes C1 and the close completes
      And the four-tuple release delay the testbed declares has passed
      And C2 connects through SE to L
      And the peer accepts the request on L as P2
      Then the connect of C2 succeeds

  Rule: A failed connect may be retried

    @clause:CSE-RETRY-AFTER-REFUSAL @clause:CSE-FAILED-CONNECT-HOLDS-NOTHING
    Scenario: A refused destination can be retried once it listens
      When C1 connects through SE to a destination where nothing listens
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      When the peer listens on that destination as L2
      And C2 connects through SE to L2
      And the peer accepts the request on L2 as P2
      Then the connect of C2 succeeds

    @clause:CSE-RETRY-AFTER-UNREACHABLE @clause:CSE-FAILED-CONNECT-HOLDS-NOTHING
    Scenario Outline: A connect to <destination> can be retried once the network heals
      When C1 connects through SE to <destination>
      Then the connect of C1 fails with <status>
      When the network heals so that the destination is reachable
      And the peer listens on that destination as L2
      And C2 connects through SE to L2
      And the peer accepts the request on L2 as P2
      Then the connect of C2 succeeds

      Examples:
        | destination                             | status                     |
        | a destination in an unreachable network | STATUS_NETWORK_UNREACHABLE |
        | an unreachable host                     | STATUS_HOST_UNREACHABLE    |
        | a host that never answers               | STATUS_IO_TIMEOUT          |

  Rule: CONNECTION_REFUSED covers every way the remote side declines

    @clause:CSE-REFUSED-NO-LISTENER
    Scenario: Nothing listens at the destination
      When C1 connects through SE to a destination where nothing listens
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED

    @clause:CSE-REFUSED-REJECTED
    Scenario: The peer rejects the request
      When C1 connects through SE to L
      And the peer rejects the request on L
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED

    @clause:CSE-REFUSED-BACKLOG
    Scenario: The listener's backlog is full
      Given L holds as many unanswered connect requests as its backlog allows
      When C1 connects through SE to L
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      And L receives no further connect event

    @clause:CSE-REFUSED-PAUSED
    Scenario: The listener's connect events are paused
      Given the peer pauses connect events on L
      When C1 connects through SE to L
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      And L receives no connect event

    @clause:CSE-REFUSED-PAUSED
    Scenario: Resuming connect events makes the listener reachable again
      Given the peer pauses connect events on L
      And the peer resumes connect events on L
      When C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds

    @clause:CSE-REFUSED-LISTENER-CLOSING
    Scenario: The listener is closing
      Given the peer closes L
      When C1 connects through SE to L
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      And L receives no connect event

  Rule: Other status codes: a connect that cannot be made is an error, never a connection

    @clause:CSE-MALFORMED-DESTINATION
    Scenario Outline: A destination given as <form>
      When C1 connects through SE to L with the destination given as <form>
      Then the connect of C1 fails with a provider-defined error
      And L receives no connect event

      Examples:
        | form                                            |
        | a zero length                                   |
        | a length one byte short of SOCKADDR_IN          |
        | a length one byte past the end of its buffer    |
        | a SOCKADDR_IN with the length of a SOCKADDR_IN6 |
        | a SOCKADDR_IN6 with the length of a SOCKADDR_IN |
        | a SOCKADDR_IN6 one byte short                   |
        | an unknown address family                       |
        | the family AF_UNSPEC                            |

    @clause:CSE-MALFORMED-DESTINATION
    Scenario: NdkConnect with a destination of an unknown address family
      When C1 connects from the local host's first address with port 7500 to L with NdkConnect and the destination given as an unknown address family
      Then the dedicated connect of C1 fails with a provider-defined error
      And L receives no connect event

    @clause:CSE-CONNECTOR-BUSY
    Scenario: A connector that is connected connects again
      Given the peer listens on its second address as L2
      And C1 is connected through SE to L, accepted as P1
      When C1 connects through SE to L2
      Then the connect of C1 fails with a provider-defined error
      And L2 receives no connect event

    @clause:CSE-CONNECTOR-BUSY
    Scenario: A connector whose connect is in progress connects again
      Given the peer listens on its second address as L2
      When C1 connects through SE to L
      And the peer receives a connect request on L as P1
      And C1 connects through SE to L2
      Then the connect of C1 fails with a provider-defined error
      And L2 receives no connect event

    @clause:CSE-QP-ASSOCIATED
    Scenario: The QP of a connection cannot serve another connector's connect
      Given the peer listens on its second address as L2
      And C1 is connected through SE to L, accepted as P1
      When C2 connects through SE to L2 with the QP of C1
      Then the connect of C2 fails with a provider-defined error
      And L2 receives no connect event

    @clause:CSE-QP-ASSOCIATED
    Scenario: The QP of a connect in progress cannot serve another connector's connect
      Given the peer listens on its second address as L2
      When C1 connects through SE to L
      And the peer receives a connect request on L as P1
      And C2 connects through SE to L2 with the QP of C1
      Then the connect of C2 fails with a provider-defined error
      And L2 receives no connect event

    @clause:CSE-OTHER-ADAPTER
    Scenario: A QP of another adapter
      When C1 connects through SE to L with a QP of the peer's adapter
      Then the connect of C1 fails with a provider-defined error
      And L receives no connect event

    @clause:CSE-OTHER-ADAPTER
    Scenario: NdkConnect with a QP of another adapter
      When C1 connects from the local host's first address with port 7600 to L with NdkConnect and a QP of the peer's adapter
      Then the dedicated connect of C1 fails with a provider-defined error
      And L receives no connect event

    @clause:ACCEPT-OTHER-ADAPTER
    Scenario: The peer accepts with a QP of another adapter
      When C1 connects through SE to L
      And the peer accepts the request on L as P1 with the QP of C2
      Then the accept of P1 fails with a provider-defined error

    @clause:CSE-OTHER-ADAPTER
    Scenario: A shared endpoint of another adapter
      Given a shared endpoint PSE of the peer's adapter on the peer's second address with port 0
      When C1 connects through PSE to L
      Then the connect of C1 fails with a provider-defined error
      And L receives no connect event
