@function:NdkCompleteConnect @function:NdkAccept @function:NdkReject @function:NdkDisconnect
Feature: The rest of the connection's life: complete, accept, reject, disconnect
  After NdkConnectWithSharedEndpoint succeeds, the active side reads the passive side's terms with
  NdkGetConnectionData and either finishes the connection with NdkCompleteConnect or declines it
  with NdkReject. The passive side's NdkAccept completes once the active side has completed the
  connection. Either side may then disconnect with NdkDisconnect; the other side's disconnect
  event fires once, and the disconnecting side's never does.

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_complete_connect
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_accept
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_reject
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_disconnect
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_disconnect_event_callback

  Background:
    Given the peer listens on its first address as L
    And a shared endpoint SE on the local host's first address with port 0
    And connectors C1 on the local host, each with its own QP

  Rule: CompleteConnect finishes the connection, and only then does the accept complete

    @clause:SEQ-COMPLETE-CONNECT @clause:SEQ-ACCEPT-AFTER-COMPLETE
    Scenario: The active side completes the connection its peer accepted
      When C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds
      And the accept of P1 has not completed
      When C1 completes the connection
      Then the complete-connect of C1 succeeds
      And the accept of P1 succeeds

    @clause:SEQ-COMPLETE-CONNECT-INVALID
    Scenario: CompleteConnect on a connector that is not connecting
      When C1 completes the connection
      Then the complete-connect of C1 fails with STATUS_CONNECTION_INVALID

  Rule: The active side may reject a connection whose connect completed

    @clause:SEQ-ACTIVE-REJECT
    Scenario: The active side rejects after reading the peer's terms
      When C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds
      When C1 rejects the connection
      Then the reject returns STATUS_SUCCESS
      And the accept of P1 fails with STATUS_CONNECTION_ABORTED or STATUS_CONNECTION_REFUSED

  Rule: A disconnect reaches the peer as exactly one disconnect event

    @clause:DISC-ACTIVE @clause:DISC-EVENT-ONCE-ON-PEER
    Scenario: The active side disconnects
      Given C1 is connected through SE to L, accepted as P1
      When C1 disconnects
      Then the disconnect of C1 succeeds
      And P1 receives exactly one disconnect event
      And C1 receives no disconnect event

    @clause:DISC-PASSIVE @clause:DISC-EVENT-ONCE-ON-PEER
    Scenario: The passive side disconnects
      Given C1 is connected through SE to L, accepted as P1
      When P1 disconnects
      Then the disconnect of P1 succeeds
      And C1 receives exactly one disconnect event
      And P1 receives no disconnect event

    @clause:DISC-EVENT-ONCE-ON-PEER
    Scenario: Both sides disconnect
      Given C1 is connected through SE to L, accepted as P1
      When C1 disconnects
      And P1 receives exactly one disconnect event
      And P1 disconnects
      Then the disconnect of C1 succeeds
      And the disconnect of P1 succeeds
      And C1 receives no disconnect event
      And P1 receives exactly one disconnect event
