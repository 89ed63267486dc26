@function:NdkConnectWithSharedEndpoint @function:NdkCreateSharedEndpoint @ipv6
Feature: Shared endpoints and connections over IPv6
  pDestAddress may be an AF_INET6 address: a SOCKADDR_IN6 of 28 bytes holding the destination IP
  address and ND port. NDK providers support Network Direct connectivity over both IPv4 and IPv6
  addresses of their adapters, so every rule of the shared endpoint holds for IPv6 as it does for
  IPv4. The scenarios below repeat the central ones over IPv6.

  Each needs the provider to declare the IPV6 capability and its testbed to offer an IPv6 address
  on each host. A provider that does not declare IPV6 gets them reported unsupported with the
  reason no-ipv6; one that declares it without offering addresses, with no-ipv6-address.

  A connect whose destination's family differs from the shared endpoint's cannot be made: NDKPI
  names no status for it, so the kit requires an error and records the code.

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_connect_with_shared_endpoint
  Source: https://learn.microsoft.com/windows-hardware/drivers/network/ndkpi-listeners--connectors--and-endpoints

  Background:
    Given the peer listens on its first IPv6 address as L
    And a shared endpoint SE on the local host's first IPv6 address with port 0
    And connectors C1 and C2 on the local host, each with its own QP

  Rule: An IPv6 shared endpoint connects to IPv6 destinations

    @clause:CSE-IPV6 @clause:SE-PORT-ZERO
    Scenario: A shared endpoint created on an IPv6 address with port 0
      Then SE reports the local host's first IPv6 address with a port between 49152 and 65535

    @clause:CSE-IPV6 @clause:CSE-SUCCESS @clause:SE-CONNECTOR-LOCAL-ADDRESS
    Scenario: A connection over IPv6
      When C1 is connected through SE to L, accepted as P1
      Then the local address of C1 is the address of SE
      And the peer address of C1 is the address of L
      And the peer address of P1 is the address of SE
      And the local address of P1 is the address of L

    @clause:CSE-IPV6 @clause:CSE-REFUSED-REJECTED
    Scenario: The peer rejects a request over IPv6
      When C1 connects through SE to L
      And the peer rejects the request on L
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED

    @clause:CSE-IPV6 @clause:CSE-ADDRESS-ALREADY-EXISTS
    Scenario: A duplicate IPv6 four-tuple is refused
      Given C1 is connected through SE to L, accepted as P1
      When C2 connects through SE to L
      Then the connect of C2 fails with STATUS_ADDRESS_ALREADY_EXISTS
      And L receives no further connect event

    @clause:CSE-IPV6 @clause:SE-LOCAL-ADDRESS-BUFFER
    Scenario: An IPv6 address does not fit a SOCKADDR_IN-sized buffer
      When the consumer reads the local address of SE into a buffer of 16 bytes
      Then the read returns STATUS_BUFFER_TOO_SMALL and reports the size of the address

  Rule: The destination's family must be the shared endpoint's

    @clause:CSE-FAMILY-MISMATCH
    Scenario: An IPv4 shared endpoint and an IPv6 destination
      Given a shared endpoint SE4 on the local host's first address with port 0
      When C1 connects through SE4 to L
      Then the connect of C1 fails with a provider-defined error
      And L receives no connect event

    @clause:CSE-FAMILY-MISMATCH
    Scenario: An IPv6 shared endpoint and an IPv4 destination
      Given the peer listens on its first address as L4
      When C1 connects through SE to L4
      Then the connect of C1 fails with a provider-defined error
      And L4 receives no connect event
