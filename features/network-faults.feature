@function:NdkConnectWithSharedEndpoint @function:NdkCompleteConnect @function:NdkAccept @function:NdkCloseObject @network
Feature: Connection establishment across a faulty link
  A provider runs on a real network, where frames are lost, late or out of order, links go down
  and peers stop answering. NDK does not describe the wire, but it fixes what the consumer sees:
  every connect ends, with STATUS_SUCCESS or an error, inline or through its one completion; a
  connect that cannot reach its peer fails with STATUS_IO_TIMEOUT or STATUS_HOST_UNREACHABLE after
  a timeout the provider chooses, and "may be retried"; every close completes and releases what
  the object held, whatever the network did.

  These scenarios need two machines joined by a link the testbed can disturb (in the kit's lab: two
  virtual machines, the faults made from outside them with tc netem, QEMU's link control,
  QEMU's stop, and SIGKILL to the peer's agent). On one machine they are unsupported. After every scenario the link is healed, every
  object is closed, and the provider must hold nothing more than before.

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_connect_with_shared_endpoint
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_disconnect_event_callback
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_close_object

  Background:
    Given the two hosts are separate machines joined by a link the testbed can disturb
    And a shared endpoint SE on the local host's first address with port 0

  Rule: On a lossy, slow or reordering link every connect ends within the connect timeout, and a retry succeeds once the link heals

    @clause:NET-IMPAIRED-CONNECT-ENDS @clause:NET-IMPAIRED-ESTABLISHED @clause:NET-RETRY-AFTER-HEAL
    Scenario Outline: Connections across a link that <impairment>
      When the link <impairment>
      And 10 connectors connect through SE to as many listeners of the peer, one after another, the peer accepting each
      Then every connect of the batch ended with STATUS_SUCCESS or a retryable status within the connect timeout
      And every connection of the batch whose connect succeeded is established
      When the link heals
      And every connection of the batch that failed is tried again on a new connector
      Then every connection of the batch is established

      Examples:
        | impairment                                                      |
        | loses 3 percent of its frames                                   |
        | loses 15 percent of its frames                                  |
        | delays every frame by 50 ms, give or take 10 ms                 |
        | sends 25 percent of its frames at once and holds the rest for 20 ms |

  Rule: A connect in flight when the link goes down fails with STATUS_IO_TIMEOUT or STATUS_HOST_UNREACHABLE within the connect timeout

    @clause:NET-LINK-DOWN-CONNECT
    Scenario: The link goes down while a connect is in flight
      Given the peer listens on its first address as L
      And connectors C1, C2 on the local host, each with its own QP
      When C1 connects through SE to L
      And the link goes down
      Then the connect of C1 fails with STATUS_IO_TIMEOUT or STATUS_HOST_UNREACHABLE within the connect timeout
      When the consumer closes C1 and the close completes
      And the link comes back up
      And the peer listens on its second address as L2
      Then C2 is connected through SE to L2, accepted as P2

  Rule: When the peer machine stops, a connect in flight times out, and an established connection outlives the silence

    @clause:NET-PEER-STOPPED @clause:DISC-EVENT-ONCE-ON-PEER
    Scenario: The peer machine stops with one connection established and another connecting
      Given the peer listens on its first address as L
      And the peer listens on its second address as L2
      And connectors C1, C2 on the local host, each with its own QP
      And C1 is connected through SE to L, accepted as P1
      When C2 connects through SE to L2
      And the peer machine stops
      Then the connect of C2 fails with STATUS_IO_TIMEOUT or STATUS_HOST_UNREACHABLE within the connect timeout
      And C1 receives no disconnect event
      When the peer machine runs again
      And C1 disconnects
      Then the disconnect of C1 succeeds
      And P1 receives exactly one disconnect event
      And C1 receives no disconnect event

  Rule: When the peer's provider process dies, its operating system ends what it held, and the local host sees each end once

    @clause:NET-PEER-PROVIDER-KILLED @clause:DISC-EVENT-ONCE-ON-PEER
    Scenario: The peer's provider process is killed with one connection established and another waiting for its accept
      Given the peer listens on its first address as L
      And the peer listens on its second address as L2
      And connectors C1, C2, C3 on the local host, each with its own QP
      And C1 is connected through SE to L, accepted as P1
      When C2 connects through SE to L2
      And the peer receives a connect request on L2 as P2
      And the peer's provider process is killed
      Then C1 receives exactly one disconnect event
      And the connect of C2 fails with a retryable status within the connect timeout
      And C2 receives no disconnect event
      When the peer's provider is started again
      And the peer listens on its first address as L3
      And C3 is connected through SE to L3, accepted as P3
      And C3 disconnects
      Then the disconnect of C3 succeeds
      And P3 receives exactly one disconnect event

  Rule: One shared endpoint carries many connections across the link at once

    @clause:NET-MANY-CONNECTIONS
    Scenario: A thousand connections through one shared endpoint across the link
      When 1000 connectors connect through SE to as many listeners of the peer, 32 at a time, the peer accepting each
      Then every connection of the batch is established
