@function:NdkCreateSharedEndpoint @function:NdkGetSharedEndpointLocalAddress @function:NdkConnectWithSharedEndpoint @function:NdkListen @function:NdkConnect
Feature: A shared endpoint is one local address for many outgoing connections
  NdkCreateSharedEndpoint (NDK_FN_CREATE_SHARED_ENDPOINT) reserves a local IP address and ND port
  from which a consumer makes many outgoing connections to different destinations with
  NdkConnectWithSharedEndpoint. Port 0 asks the provider to choose a port, which the consumer
  learns with NdkGetSharedEndpointLocalAddress. Creation fails with STATUS_SHARING_VIOLATION when
  the address is in use, STATUS_INVALID_ADDRESS when it is not an address of the adapter, and
  STATUS_TOO_MANY_ADDRESSES when port 0 was asked for and no ephemeral port (49152-65535) is free;
  each inline or through the create completion. NdkListen and NdkConnect take a local address the
  same way and refuse it with the same statuses.

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_create_shared_endpoint
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_get_shared_endpoint_local_address
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_connect

  Rule: Many connections to different destinations share one local address

    @clause:SE-MANY-DESTINATIONS @clause:SE-CONNECTOR-LOCAL-ADDRESS
    Scenario: Three connections to three destinations share the shared endpoint's address
      Given the peer listens on its first address as L1
      And the peer listens on its second address as L2
      And the peer listens on its third address as L3
      And a shared endpoint SE on the local host's first address with port 0
      And connectors C1, C2 and C3 on the local host, each with its own QP
      When C1 is connected through SE to L1, accepted as P1
      And C2 is connected through SE to L2, accepted as P2
      And C3 is connected through SE to L3, accepted as P3
      Then the local address of C1 is the address of SE
      And the local address of C2 is the address of SE
      And the local address of C3 is the address of SE

    @clause:SE-MANY-DESTINATIONS
    Scenario: Two listeners on one peer address are two destinations
      Given the peer listens on its first address as L1
      And the peer listens on its first address as L2
      And a shared endpoint SE on the local host's first address with port 0
      And connectors C1 and C2 on the local host, each with its own QP
      When C1 is connected through SE to L1, accepted as P1
      And C2 is connected through SE to L2, accepted as P2
      Then the local address of C1 is the address of SE
      And the local address of C2 is the address of SE

    @clause:SE-CONNECTOR-LOCAL-ADDRESS
    Scenario: Each end reports the other's address as its peer
      Given the peer listens on its first address as L
      And a shared endpoint SE on the local host's first address with port 0
      And connectors C1 on the local host, each with its own QP
      When C1 is connected through SE to L, accepted as P1
      Then the peer address of C1 is the address of L
      And the peer address of P1 is the address of SE
      And the local address of P1 is the address of L

  Rule: Port 0 lets the provider choose an ephemeral port

    @clause:SE-PORT-ZERO
    Scenario: A shared endpoint created with port 0 reports the port the provider chose
      When a shared endpoint SE is created on the local host's first address with port 0
      Then SE reports the local host's first address with a port between 49152 and 65535

    @clause:SE-PORT-ZERO
    Scenario: A shared endpoint created with a given port reports that port
      When a shared endpoint SE is created on the local host's first address with port 7100
      Then SE reports the local host's first address with port 7100

    @clause:SE-TOO-MANY-ADDRESSES
    Scenario: No ephemeral port is free
      Given every ephemeral port of the local host's first address is taken
      When a shared endpoint is created on the local host's first address with port 0
      Then the creation fails with STATUS_TOO_MANY_ADDRESSES

  Rule: Creation refuses an address that is in use or not the adapter's

    @clause:SE-SHARING-VIOLATION
    Scenario: A second shared endpoint on an address in use
      Given a shared endpoint SE on the local host's first address with port 7200
      When a shared endpoint is created on the address of SE
      Then the creation fails with STATUS_SHARING_VIOLATION

    @clause:SE-SHARING-VIOLATION
    Scenario: A shared endpoint on the address of a listener
      Given the local host listens on its first address as LL
      When a shared endpoint is created on the address of LL
      Then the creation fails with STATUS_SHARING_VIOLATION

    @clause:SE-SHARING-VIOLATION
    Scenario: The same port on another local address is a different address
      Given the local host has at least 2 addresses
      And a shared endpoint SE on the local host's first address with port 7300
      When a shared endpoint SE2 is created on the local host's second address with port 7300
      Then SE2 reports the local host's second address with port 7300

    @clause:SE-SHARING-VIOLATION
    Scenario: With every ephemeral port taken, an ephemeral port asked for by number is in use and the port below the range is not
      Given every ephemeral port of the local host's first address is taken
      When a shared endpoint is created on the local host's first address with port 49152
      Then the creation fails with STATUS_SHARING_VIOLATION
      When a shared endpoint SE2 is created on the local host's first address with port 49151
      Then SE2 reports the local host's first address with port 49151

    @clause:SE-INVALID-ADDRESS
    Scenario: An address that is not the adapter's
      When a shared endpoint is created on an address that is not the local adapter's
      Then the creation fails with STATUS_INVALID_ADDRESS

    @clause:SE-INSUFFICIENT-RESOURCES
    Scenario: The adapter has no resources for another shared endpoint
      Given the local adapter's resources are exhausted
      When a shared endpoint is created on the local host's first address with port 0
      Then the creation fails with STATUS_INSUFFICIENT_RESOURCES

  Rule: NdkGetSharedEndpointLocalAddress follows NDK's buffer protocol

    @clause:SE-LOCAL-ADDRESS-BUFFER
    Scenario Outline: Reading the address into a buffer of <size> bytes
      Given a shared endpoint SE on the local host's first address with port 0
      When the consumer reads the local address of SE into a buffer of <size> bytes
      Then the read returns <status> and reports <length>

      Examples:
        | size                            | status                  | length                  |
        | 0                               | STATUS_BUFFER_TOO_SMALL | the size of the address |
        | the size of the address minus 1 | STATUS_BUFFER_TOO_SMALL | the size of the address |
        | the size of the address         | STATUS_SUCCESS          | the size of the address |
        | 128                             | STATUS_SUCCESS          | the size of the address |

  Rule: NdkListen refuses a local address as creation does

    @clause:LISTEN-INVALID-ADDRESS
    Scenario: Listening on an address that is not the adapter's
      When the local host tries to listen on an address that is not the local adapter's
      Then the listen fails with STATUS_INVALID_ADDRESS

    @clause:LISTEN-TOO-MANY-ADDRESSES
    Scenario: Listening on port 0 when no ephemeral port is free
      Given every ephemeral port of the local host's first address is taken
      When the local host tries to listen on its first address with port 0
      Then the listen fails with STATUS_TOO_MANY_ADDRESSES

  Rule: NdkConnect refuses a local address as creation does

    @clause:CONNECT-INVALID-ADDRESS
    Scenario: Connecting from an address that is not the adapter's
      Given the peer listens on its first address as L
      And connectors C1 on the local host, each with its own QP
      When C1 connects from an address that is not the local adapter's to L with NdkConnect
      Then the dedicated connect of C1 fails with STATUS_INVALID_ADDRESS

    @clause:CONNECT-TOO-MANY-ADDRESSES
    Scenario: Connecting from port 0 when no ephemeral port is free
      Given the peer listens on its first address as L
      And connectors C1 on the local host, each with its own QP
      And every ephemeral port of the local host's first address is taken
      When C1 connects from the local host's first address with port 0 to L with NdkConnect
      Then the dedicated connect of C1 fails with STATUS_TOO_MANY_ADDRESSES
