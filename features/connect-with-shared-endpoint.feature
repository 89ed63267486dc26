@function:NdkConnectWithSharedEndpoint
Feature: NdkConnectWithSharedEndpoint starts a connection from a shared local address
  NdkConnectWithSharedEndpoint (NDK_FN_CONNECT_WITH_SHARED_ENDPOINT) starts a connection request
  from the local address of a shared endpoint to a remote address. It lets a consumer use one
  local address (for example 10.1.1.1:9999) for many outgoing connections whose destinations
  differ.

  Every error below may be reported inline (the call returns it) or asynchronously (the call
  returns STATUS_PENDING and the request completion reports it). Each scenario accepts either
  path, records which one it saw, and checks NDK's completion rule on it: never a completion
  after an inline status; exactly one completion, carrying the caller's RequestContext, after
  STATUS_PENDING; a completion called inside the call only if the call returns STATUS_PENDING.

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_connect_with_shared_endpoint

  Background:
    Given the peer listens on its first address as L
    And a shared endpoint SE on the local host's first address with port 0
    And connectors C1 and C2 on the local host, each with its own QP

  Rule: A connect the peer accepts succeeds

    @clause:CSE-SUCCESS
    Scenario: The peer accepts the request
      When C1 connects through SE to L
      And the peer accepts the request on L as P1
      Then the connect of C1 succeeds

    @clause:CSE-SUCCESS @clause:CSE-RETRY-AFTER-REFUSAL
    Scenario: A refused destination can be retried once it listens
      When C1 connects through SE to a destination where nothing listens
      Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
      When the peer listens on that destination as L2
      And C2 connects through SE to L2
      And the peer accepts the request on L2 as P2
      Then the connect of C2 succeeds

  Rule: Each documented error is reported inline or through the completion

    @clause:CSE-INSUFFICIENT-RESOURCES
    Scenario: The local adapter has no resources left for the connection
      Given the local adapter's resources are exhausted
      When C1 connects through SE to L
      Then the connect of C1 fails with STATUS_INSUFFICIENT_RESOURCES
      And L receives no connect event

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

    @clause:CSE-ADDRESS-ALREADY-EXISTS
    Scenario: A second connection with the same four-tuple is refused as a duplicate
      Given C1 is connected through SE to L, accepted as P1
      When C2 connects through SE to L
      Then the connect of C2 fails with STATUS_ADDRESS_ALREADY_EXISTS
      And L receives no further connect event

    @clause:CSE-ADDRESS-ALREADY-EXISTS
    Scenario: A duplicate four-tuple is refused while the first connect is still in progress
      When C1 connects through SE to L
      And the peer receives a connect request on L as P1
      And C2 connects through SE to L
      Then the connect of C2 fails with STATUS_ADDRESS_ALREADY_EXISTS

    @clause:CSE-FOUR-TUPLE-RELEASED
    Scenario: Closing the first connector frees its four-tuple for a new connection
      Given C1 is connected through SE to L, accepted as P1
      When the consumer closes C1 and the close completes
      And C2 connects through SE to L
      And the peer accepts the request on L as P2
      Then the connect of C2 succeeds

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
