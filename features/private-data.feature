@function:NdkConnectWithSharedEndpoint @function:NdkAccept @function:NdkReject @function:NdkGetConnectionData
Feature: Private data travels intact within the adapter's limits
  A connect request carries up to MaxCallerData bytes of private data; an accept or a reject
  carries up to MaxCalleeData bytes back (NDK_ADAPTER_INFO). Each side reads what the other sent
  with NdkGetConnectionData. NDKPI does not say which status a provider returns for private data
  over the limit; the kit requires an error (not success, and nothing sent to the peer) and
  records the code: STATUS_INVALID_BUFFER_SIZE is what the NetworkDirect SPI uses.

  NdkGetConnectionData reports a "required data size" (RDS) that need not equal what the peer
  sent: with no buffer and length 0 it returns STATUS_SUCCESS and the RDS; with a shorter buffer
  STATUS_BUFFER_TOO_SMALL; with a large enough one STATUS_SUCCESS; in every case it writes the RDS
  back into the length.

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_get_connection_data
  Source: https://learn.microsoft.com/windows/win32/api/ndkinfo/ns-ndkinfo-ndk_adapter_info

  Background:
    Given the peer listens on its first address as L
    And a shared endpoint SE on the local host's first address with port 0
    And connectors C1 and C2 on the local host, each with its own QP

  Rule: Private data is delivered intact in each direction

    @clause:PD-CONNECT-DELIVERED
    Scenario: The connect's private data reaches the passive side
      When C1 connects through SE to L with 20 bytes of private data
      And the peer receives a connect request on L as P1
      Then P1 reads the 20 bytes C1 sent

    @clause:PD-ACCEPT-DELIVERED
    Scenario: The accept's private data reaches the active side
      When C1 connects through SE to L
      And the peer accepts the request on L as P1 with 30 bytes of private data
      Then the connect of C1 succeeds
      And C1 reads the 30 bytes P1 sent

    @clause:PD-REJECT-DELIVERED
    Scenario: The reject's private data reaches the active side
      When C1 connects through SE to L
      And the peer rejects the request on L with 12 bytes of private data
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      And C1 reads the 12 bytes the peer rejected with

  Rule: Every length from 0 to the limit is delivered intact, odd or even

    The boundaries (0, 1 and the limit) are fixed; lengths between them are drawn afresh on every
    run from the run seed (the scenario's report gives the seed and the length it drew).

    @clause:PD-CONNECT-DELIVERED
    Scenario Outline: A connect with private data whose length is <length>
      Given the private-data length N is <length>
      When C1 connects through SE to L with N bytes of private data
      And the peer receives a connect request on L as P1
      Then P1 reads the N bytes C1 sent

      Examples:
        | length                                          |
        | 0                                               |
        | 1                                               |
        | an odd number drawn from 3 to MaxCallerData - 1 |
        | an even number drawn from 2 to MaxCallerData - 1 |

    @clause:PD-ACCEPT-DELIVERED
    Scenario Outline: An accept with private data whose length is <length>
      Given the private-data length N is <length>
      When C1 connects through SE to L
      And the peer accepts the request on L as P1 with N bytes of private data
      Then the connect of C1 succeeds
      And C1 reads the N bytes P1 sent

      Examples:
        | length                                                     |
        | 0                                                          |
        | 1                                                          |
        | an odd number drawn from 3 to the peer's MaxCalleeData - 1 |
        | an even number drawn from 2 to the peer's MaxCalleeData - 1 |

    @clause:PD-REJECT-DELIVERED
    Scenario: A reject with private data of a length drawn from 1 to the limit
      Given the private-data length N is a number drawn from 1 to the peer's MaxCalleeData
      When C1 connects through SE to L
      And the peer rejects the request on L with N bytes of private data
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      And C1 reads the N bytes the peer rejected with

  Rule: Exactly the limit works; one byte more is an error, not success

    @clause:PD-CALLER-LIMIT
    Scenario: A connect with exactly MaxCallerData bytes
      When C1 connects through SE to L with MaxCallerData bytes of private data
      And the peer receives a connect request on L as P1
      Then P1 reads the MaxCallerData bytes C1 sent

    @clause:PD-CALLER-OVER-LIMIT
    Scenario: A connect with one byte more than MaxCallerData
      When C1 connects through SE to L with MaxCallerData + 1 bytes of private data
      Then the connect of C1 fails with a provider-defined error
      And L receives no connect event

    @clause:PD-CALLER-OVER-LIMIT
    Scenario: An NdkConnect with one byte more than MaxCallerData
      When C1 connects from the local host's first address with port 7700 to L with NdkConnect and MaxCallerData + 1 bytes of private data
      Then the dedicated connect of C1 fails with a provider-defined error
      And L receives no connect event

    @clause:PD-CALLER-OVER-LIMIT
    Scenario: After an oversized connect, a connect within the limit still works
      When C1 connects through SE to L with MaxCallerData + 1 bytes of private data
      Then the connect of C1 fails with a provider-defined error
      When C2 connects through SE to L with MaxCallerData bytes of private data
      And the peer accepts the request on L as P2
      Then the connect of C2 succeeds

    @clause:PD-CALLEE-LIMIT
    Scenario: An accept with exactly MaxCalleeData bytes
      When C1 connects through SE to L
      And the peer accepts the request on L as P1 with the peer's MaxCalleeData bytes of private data
      Then the connect of C1 succeeds
      And C1 reads the peer's MaxCalleeData bytes P1 sent

    @clause:PD-CALLEE-OVER-LIMIT
    Scenario: An accept with one byte more than MaxCalleeData
      When C1 connects through SE to L
      And the peer accepts the request on L as P1 with the peer's MaxCalleeData + 1 bytes of private data
      Then the accept of P1 fails with a provider-defined error

    @clause:PD-CALLEE-OVER-LIMIT
    Scenario: A reject with one byte more than MaxCalleeData
      When C1 connects through SE to L
      And the peer receives a connect request on L as P1
      And P1 rejects the request with the peer's MaxCalleeData + 1 bytes of private data
      Then the reject fails with a provider-defined error

  Rule: NdkGetConnectionData follows its buffer rules

    @clause:GCD-NULL-BUFFER
    Scenario: No buffer and length 0 asks for the required size
      When C1 connects through SE to L with 20 bytes of private data
      And the peer receives a connect request on L as P1
      And P1 reads its connection data with no buffer and length 0
      Then the read returns STATUS_SUCCESS and reports a required size of at least 20

    @clause:GCD-SHORT-BUFFER
    Scenario: A buffer shorter than the required size
      When C1 connects through SE to L with 20 bytes of private data
      And the peer receives a connect request on L as P1
      And P1 reads its connection data into a buffer 1 byte shorter than the required size
      Then the read returns STATUS_BUFFER_TOO_SMALL and reports the required size

    @clause:GCD-LARGE-BUFFER
    Scenario: A buffer larger than the required size
      When C1 connects through SE to L with 20 bytes of private data
      And the peer receives a connect request on L as P1
      And P1 reads its connection data into a buffer 64 bytes longer than the required size
      Then the read returns STATUS_SUCCESS and reports the required size
      And the buffer starts with the 20 bytes C1 sent

    @clause:GCD-OPTIONAL-LIMITS
    Scenario: The read-limit outputs are optional
      When C1 connects through SE to L with 20 bytes of private data
      And the peer receives a connect request on L as P1
      And P1 reads its connection data without asking for read limits
      Then the read returns STATUS_SUCCESS and reports the required size
