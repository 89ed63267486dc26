@function:NdkConnectWithSharedEndpoint @function:NdkAccept @function:NdkGetConnectionData
Feature: Read limits are capped, never refused, and settle on the lower of the two peers
  InboundReadLimit is the most incoming RDMA reads in progress the consumer allows on the QP;
  OutboundReadLimit the most outgoing ones. The provider caps each to its adapter maximum
  (NDK_ADAPTER_INFO MaxInboundReadLimit and MaxOutboundReadLimit) and then takes the peer's
  opposite value when that is lower:

    effective inbound  = min(own InboundReadLimit,  MaxInboundReadLimit,  peer's outbound limit)
    effective outbound = min(own OutboundReadLimit, MaxOutboundReadLimit, peer's inbound limit)

  A value above the maximum is capped, never refused. The consumer reads the effective values
  with NdkGetConnectionData. Values are 32-bit unsigned: 4294967295 is the largest, not -1.
  Limits below are written in terms of the adapters' own maxima ("MaxInboundReadLimit" is the
  local adapter's, "the peer's MaxOutboundReadLimit" the peer adapter's) so the same scenario
  holds for every adapter.

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_connect_with_shared_endpoint
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_get_connection_data

  Background:
    Given the peer listens on its first address as L
    And a shared endpoint SE on the local host's first address with port 0
    And connectors C1 on the local host, each with its own QP

  Rule: The consumer's inbound limit is capped to MaxInboundReadLimit

    @clause:LIM-INBOUND-CAP
    Scenario Outline: An inbound read limit <relation> the adapter maximum
      Given the peer's MaxOutboundReadLimit is at least MaxInboundReadLimit
      And MaxInboundReadLimit is at least 2
      When C1 connects through SE to L with inbound read limit <requested> and outbound read limit 1
      And the peer accepts the request on L as P1 with inbound read limit 1 and outbound read limit the peer's MaxOutboundReadLimit
      Then the connect of C1 succeeds
      And C1 reads an effective inbound read limit of <effective>

      Examples:
        | relation       | requested               | effective               |
        | just above     | MaxInboundReadLimit + 1 | MaxInboundReadLimit     |
        | far above      | 4294967295              | MaxInboundReadLimit     |
        | equal to       | MaxInboundReadLimit     | MaxInboundReadLimit     |
        | just below     | MaxInboundReadLimit - 1 | MaxInboundReadLimit - 1 |

  Rule: The consumer's outbound limit is capped to MaxOutboundReadLimit

    @clause:LIM-OUTBOUND-CAP
    Scenario Outline: An outbound read limit <relation> the adapter maximum
      Given the peer's MaxInboundReadLimit is at least MaxOutboundReadLimit
      And MaxOutboundReadLimit is at least 2
      When C1 connects through SE to L with inbound read limit 1 and outbound read limit <requested>
      And the peer accepts the request on L as P1 with inbound read limit the peer's MaxInboundReadLimit and outbound read limit 1
      Then the connect of C1 succeeds
      And C1 reads an effective outbound read limit of <effective>

      Examples:
        | relation       | requested                | effective                |
        | just above     | MaxOutboundReadLimit + 1 | MaxOutboundReadLimit     |
        | far above      | 4294967295               | MaxOutboundReadLimit     |
        | equal to       | MaxOutboundReadLimit     | MaxOutboundReadLimit     |
        | just below     | MaxOutboundReadLimit - 1 | MaxOutboundReadLimit - 1 |

  Rule: The peer's lower opposite value becomes the effective value

    @clause:LIM-INBOUND-PEER
    Scenario Outline: The inbound limit meets a peer outbound limit that is <relation>
      Given MaxInboundReadLimit is at least 3
      And the peer's MaxOutboundReadLimit is at least 3
      When C1 connects through SE to L with inbound read limit 2 and outbound read limit 1
      And the peer accepts the request on L as P1 with inbound read limit 1 and outbound read limit <peer outbound>
      Then the connect of C1 succeeds
      And C1 reads an effective inbound read limit of <effective>

      Examples:
        | relation | peer outbound | effective |
        | lower    | 1             | 1         |
        | equal    | 2             | 2         |
        | higher   | 3             | 2         |

    @clause:LIM-OUTBOUND-PEER
    Scenario Outline: The outbound limit meets a peer inbound limit that is <relation>
      Given MaxOutboundReadLimit is at least 3
      And the peer's MaxInboundReadLimit is at least 3
      When C1 connects through SE to L with inbound read limit 1 and outbound read limit 2
      And the peer accepts the request on L as P1 with inbound read limit <peer inbound> and outbound read limit 1
      Then the connect of C1 succeeds
      And C1 reads an effective outbound read limit of <effective>

      Examples:
        | relation | peer inbound | effective |
        | lower    | 1            | 1         |
        | equal    | 2            | 2         |
        | higher   | 3            | 2         |

    @clause:LIM-PEER-CAPPED-FIRST @clause:LIM-INBOUND-CAP @clause:LIM-OUTBOUND-CAP
    Scenario: Limits above every maximum settle on the lower adapter maximum
      When C1 connects through SE to L with inbound read limit 4294967295 and outbound read limit 4294967295
      And the peer accepts the request on L as P1 with inbound read limit 4294967295 and outbound read limit 4294967295
      Then the connect of C1 succeeds
      And C1 reads inbound read limit min(MaxInboundReadLimit, the peer's MaxOutboundReadLimit) and outbound read limit min(MaxOutboundReadLimit, the peer's MaxInboundReadLimit)

    @clause:LIM-INBOUND-CAP @clause:LIM-OUTBOUND-CAP @clause:LIM-INBOUND-PEER @clause:LIM-OUTBOUND-PEER
    Scenario: Limits drawn from each side's whole range settle on the lowest value that bounds them
      Each of the four limits is drawn afresh on every run from 0 to its adapter's maximum (the
      scenario's report gives the run seed and the values drawn).
      Given the read limit IRD is a number drawn from 0 to MaxInboundReadLimit
      And the read limit ORD is a number drawn from 0 to MaxOutboundReadLimit
      And the peer's read limit PIRD is a number drawn from 0 to the peer's MaxInboundReadLimit
      And the peer's read limit PORD is a number drawn from 0 to the peer's MaxOutboundReadLimit
      When C1 connects through SE to L with inbound read limit IRD and outbound read limit ORD
      And the peer accepts the request on L as P1 with inbound read limit PIRD and outbound read limit PORD
      Then the connect of C1 succeeds
      And C1 reads inbound read limit min(IRD, PORD) and outbound read limit min(ORD, PIRD)

    @clause:LIM-ZERO
    Scenario: Zero read limits are legal and stay zero
      When C1 connects through SE to L with inbound read limit 0 and outbound read limit 0
      And the peer accepts the request on L as P1 with inbound read limit the peer's MaxInboundReadLimit and outbound read limit the peer's MaxOutboundReadLimit
      Then the connect of C1 succeeds
      And C1 reads inbound read limit 0 and outbound read limit 0

  Rule: The effective limits are what each side's QP allows

    @clause:LIM-QP-USES-EFFECTIVE
    Scenario: Once connected, each QP allows the reads in flight the two sides settled on
      Given MaxInboundReadLimit is at least 3
      And MaxOutboundReadLimit is at least 2
      And the peer's MaxInboundReadLimit is at least 2
      When C1 connects through SE to L with inbound read limit 3 and outbound read limit 2
      And the peer accepts the request on L as P1 with inbound read limit 2 and outbound read limit 1
      Then the connect of C1 succeeds
      And C1 reads inbound read limit 1 and outbound read limit 2
      When C1 completes the connection
      Then the complete-connect of C1 succeeds
      And the accept of P1 succeeds
      And the QP of C1 allows 1 inbound and 2 outbound reads in flight
      And the QP of P1 allows 2 inbound and 1 outbound reads in flight

  Rule: The passive side sees the active side's offer before it accepts

    NDKPI leaves open whether the passive side's adapter has already capped the offer it reads
    (ambiguity NF-PASSIVE-LIMITS): the kit accepts the offer as sent and the offer capped.

    @clause:LIM-PASSIVE-VIEW
    Scenario: The passive side reads the active side's limits, mirrored and capped
      Given MaxInboundReadLimit is at least 3
      And MaxOutboundReadLimit is at least 2
      And the peer's MaxInboundReadLimit is at least 2
      And the peer's MaxOutboundReadLimit is at least 3
      When C1 connects through SE to L with inbound read limit 3 and outbound read limit 2
      And the peer receives a connect request on L as P1
      Then P1 reads inbound read limit 2 and outbound read limit 3

    @clause:LIM-PASSIVE-VIEW
    Scenario: Limits above every maximum reach the passive side capped by the active adapter, and perhaps the passive one
      When C1 connects through SE to L with inbound read limit 4294967295 and outbound read limit 4294967295
      And the peer receives a connect request on L as P1
      Then P1 reads inbound read limit min(MaxOutboundReadLimit, the peer's MaxInboundReadLimit) and outbound read limit min(MaxInboundReadLimit, the peer's MaxOutboundReadLimit), or inbound read limit MaxOutboundReadLimit and outbound read limit MaxInboundReadLimit
