@function:NdkCloseObject @lifetime
Feature: Objects close in any order, and nothing calls back after a close completes
  The NDKPI object-lifetime rules for the objects of a connection: a close returns only
  STATUS_SUCCESS (closed, no completion) or STATUS_PENDING (one close completion later); the close
  completion is the last callback for the object. An antecedent closed before its successors
  (a shared endpoint before the connectors connected through it, a listener before the connectors
  it delivered, a QP before its connector) pends until the last successor is closed and its close
  completion has returned, and a shared endpoint's address stays in use until then. A listener whose close was issued makes no new
  connect events and refuses further requests. A consumer may close a connector from inside that
  connector's own completion.

  Source: https://learn.microsoft.com/windows-hardware/drivers/network/ndkpi-object-lifetime-requirements
  Source: https://learn.microsoft.com/windows-hardware/drivers/network/ndkpi-listeners--connectors--and-endpoints
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_close_object
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_close_completion

  Background:
    Given the peer listens on its first address as L
    And a shared endpoint SE on the local host's first address with port 0
    And connectors C1 and C2 on the local host, each with its own QP

  Rule: A shared endpoint closed before its connectors waits for them

    @clause:LT-SE-CLOSE-PENDS @clause:LT-ANTECEDENT-AFTER-CALLBACKS
    Scenario: The shared endpoint's close completes only after its last connector's close
      Given the peer listens on its second address as L2
      And C1 is connected through SE to L, accepted as P1
      And C2 is connected through SE to L2, accepted as P2
      When the consumer closes SE
      Then the close of SE returns STATUS_PENDING
      When the consumer closes C1 and the close completes
      Then the close of SE has not completed
      When the consumer closes C2 with a close completion that takes 50 ms
      Then the close of SE completes only after the close completion of C2 has returned

    @clause:LT-SE-ADDRESS-HELD
    Scenario: The shared endpoint's address stays in use until its last connector closes
      Given C1 is connected through SE to L, accepted as P1
      When the consumer closes SE
      And a shared endpoint is created on the address of SE
      Then the creation fails with STATUS_SHARING_VIOLATION
      When the consumer closes C1 and the close completes
      And the close of SE completes
      And a shared endpoint SE2 is created on the address of SE
      Then SE2 reports the address of SE

    @clause:LT-SE-ADDRESS-HELD
    Scenario: An open shared endpoint keeps its address after its connectors close
      Given C1 is connected through SE to L, accepted as P1
      When the consumer closes C1 and the close completes
      And a shared endpoint is created on the address of SE
      Then the creation fails with STATUS_SHARING_VIOLATION

    @clause:LT-SE-ADDRESS-HELD
    Scenario: A listener cannot take the address of a closed shared endpoint with open connectors
      Given C1 is connected through SE to L, accepted as P1
      When the consumer closes SE
      And the local host tries to listen on the address of SE
      Then the listen fails with STATUS_SHARING_VIOLATION

    @clause:LT-SE-ADDRESS-HELD
    Scenario: NdkConnect cannot take the address of a closed shared endpoint with open connectors
      Given the peer listens on its second address as L2
      And C1 is connected through SE to L, accepted as P1
      When the consumer closes SE
      And C2 connects from the address of SE to L2 with NdkConnect
      Then the dedicated connect of C2 fails with STATUS_SHARING_VIOLATION
      And L2 receives no connect event

    @clause:CSE-SE-CLOSING
    Scenario: A closing shared endpoint takes no new connection
      Given the peer listens on its second address as L2
      And C1 is connected through SE to L, accepted as P1
      When the consumer closes SE
      And C2 connects through SE to L2
      Then the connect of C2 fails with a provider-defined error
      And L2 receives no connect event

    @clause:LT-CLOSE-IDLE
    Scenario: A shared endpoint with no connectors closes at once
      When the consumer closes SE
      Then the close of SE completes

  Rule: A closing listener makes no new connect events and refuses new requests

    @clause:LT-LISTENER-CLOSE-STOPS-EVENTS @clause:LT-LISTENER-CLOSE-PENDS @clause:LT-ANTECEDENT-AFTER-CALLBACKS
    Scenario: A listener with an accepted connection pends and refuses new requests
      Given C1 is connected through SE to L, accepted as P1
      And a shared endpoint SE2 on the local host's first address with port 0
      When the peer closes L
      Then the close of L has not completed
      When C2 connects through SE2 to L
      Then the connect of C2 fails with STATUS_CONNECTION_REFUSED
      And L receives no further connect event
      When the consumer closes P1 with a close completion that takes 50 ms
      Then the close of L completes only after the close completion of P1 has returned

  Rule: A connector may be closed from inside its own completion

    @clause:LT-CLOSE-IN-COMPLETION
    Scenario: Closing the connector inside its connect completion
      When C1 connects through SE to L, closing C1 inside the connect completion
      And the peer accepts the request on L as P1
      Then the connect of C1 completes
      And the close of C1 completes

    # A rejection always completes a connect that returned PENDING (the peer decides after the
    # call), so this holds on every provider: a failure the provider may return inline, such as
    # no listener, would leave no completion to close from.
    @clause:LT-CLOSE-IN-COMPLETION
    Scenario: Closing the connector inside the completion of a failed connect
      When C1 connects through SE to L, closing C1 inside the connect completion
      And the peer rejects the request on L
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      And the close of C1 completes

  Rule: A close completes pending requests first, and is the last callback

    @clause:LT-CLOSE-COMPLETES-PENDING @clause:LT-NO-CALLBACK-AFTER-CLOSE
    Scenario: Closing a connector whose connect is pending
      When C1 connects through SE to a host that never answers
      And the consumer closes C1
      Then the connect of C1 completes before the close of C1
      And no callback for C1 follows the close of C1

    @clause:LT-CLOSE-COMPLETES-PENDING @clause:LT-NO-CALLBACK-AFTER-CLOSE
    Scenario: Closing a connector whose accepted connect the peer has not answered
      When C1 connects through SE to L
      And the peer receives a connect request on L as P1
      And the consumer closes C1
      Then the connect of C1 completes before the close of C1
      And no callback for C1 follows the close of C1

    @clause:LT-NO-CALLBACK-AFTER-CLOSE @clause:DISC-EVENT-ONCE-ON-PEER
    Scenario: Closing a connected connector disconnects the peer, and no event follows on the closed side
      Given C1 is connected through SE to L, accepted as P1
      When the consumer closes C1 and the close completes
      Then P1 receives exactly one disconnect event
      And no callback for C1 follows the close of C1

    @clause:LT-QP-CLOSE-PENDS @clause:LT-ANTECEDENT-AFTER-CALLBACKS
    Scenario: A QP closed before its connector waits for the connector
      Given C1 is connected through SE to L, accepted as P1
      When the consumer closes the QP of C1
      Then the close of the QP of C1 has not completed
      When the consumer closes C1 with a close completion that takes 50 ms
      Then the close of the QP of C1 completes only after the close completion of C1 has returned

    @clause:LT-QP-CLOSE-PENDS @clause:LT-ANTECEDENT-AFTER-CALLBACKS
    Scenario: The QP of an accepted connection, closed before its connector, waits for the connector
      Given C1 is connected through SE to L, accepted as P1
      When the peer closes the QP of P1
      Then the close of the QP of P1 has not completed
      When the peer closes P1 with a close completion that takes 50 ms
      Then the close of the QP of P1 completes only after the close completion of P1 has returned

    @clause:LT-QP-FREED-BY-FAILED-ATTEMPT
    Scenario: The QP of a refused connect no longer waits for its connector
      When C1 connects through SE to L
      And the peer rejects the request on L
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      When the consumer closes the QP of C1
      Then the close of the QP of C1 completes

  Rule: Closing one side while the connection is being made ends the other side's establishment

    @clause:LT-CLOSE-REFUSES-REQUEST
    Scenario: The passive side closes a request it has not answered: the connect is refused
      When C1 connects through SE to L
      And the peer receives a connect request on L as P1
      And the peer closes P1
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      And the close of P1 completes

    @clause:ACCEPT-PEER-ABANDONED
    Scenario: The active side closes before the peer answers: the peer's accept fails
      When C1 connects through SE to L
      And the peer receives a connect request on L as P1
      And the consumer closes C1 and the close completes
      And the peer accepts the held request P1
      Then the accept of P1 fails with STATUS_CONNECTION_ABORTED

    @clause:ACCEPT-PEER-ABANDONED
    Scenario: The active side closes after the peer accepted: the pending accept fails
      When C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds
      When the consumer closes C1 and the close completes
      Then the accept of P1 fails with STATUS_CONNECTION_ABORTED

    @clause:REJECT-PEER-ABANDONED
    Scenario: The active side closes before the peer answers: the peer's reject says the request was abandoned
      When C1 connects through SE to L
      And the peer receives a connect request on L as P1
      And the consumer closes C1 and the close completes
      And P1 rejects the connection
      Then the reject returns STATUS_CONNECTION_ABORTED

    @clause:REJECT-PEER-ABANDONED
    Scenario: The passive side closes while its accept pends: the active side's reject says the connection was abandoned
      When C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds
      When the peer closes P1 and the close completes
      And C1 rejects the connection
      Then the reject returns STATUS_CONNECTION_ABORTED

    @clause:LT-CLOSE-COMPLETES-PENDING @clause:COMPLETE-CONNECT-PEER-ABANDONED
    Scenario: The passive side closes while its accept pends: the accept completes first, and the connection cannot be completed
      When C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds
      When the peer closes P1 and the close completes
      Then the accept of P1 completes before the close of P1
      When C1 completes the connection
      Then the complete-connect of C1 fails with STATUS_CONNECTION_ABORTED

  Rule: A close never fails

    @clause:CLOSE-NEVER-FAILS @clause:CLOSE-COMPLETION-PATTERN @clause:LIFE-CLOSE-RELEASES
    Scenario: Every object of a connection closes with SUCCESS or PENDING, and releases what it held
      Given C1 is connected through SE to L, accepted as P1
      When the consumer closes SE
      And the consumer closes every object of the scenario
      Then every close returned STATUS_SUCCESS or STATUS_PENDING
      And every close that returned STATUS_PENDING completed exactly once
      And the provider holds nothing more than before the scenario
