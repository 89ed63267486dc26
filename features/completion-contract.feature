@function:NdkRequestCompletion @function:NdkCreateCompletion @function:NdkCreateCq @function:NdkCreateQp
Feature: The asynchronous contract: a completion if and only if the call returned PENDING
  Every NDK request function returns its status inline. Only STATUS_PENDING obliges the provider
  to call the request completion, exactly once, passing back the caller's RequestContext; after
  any other status (success or failure) the completion must never be called. The completion may
  run on any thread, even inside the call, but then the call must return STATUS_PENDING. Create
  functions follow the same pattern with their create completion, which carries the new object.

  The kit checks these rules on every call of every scenario; the scenarios below make the rule
  their subject.

  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_request_completion
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_create_completion
  Source: https://learn.microsoft.com/windows-hardware/drivers/network/ndkpi-object-lifetime-requirements
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_create_cq
  Source: https://learn.microsoft.com/windows-hardware/drivers/ddi/ndkpi/nc-ndkpi-ndk_fn_create_qp

  Background:
    Given the peer listens on its first address as L
    And a shared endpoint SE on the local host's first address with port 0
    And connectors C1 on the local host, each with its own QP

  @clause:ASYNC-PENDING-COMPLETES-ONCE @clause:ASYNC-CONTEXT-RETURNED @clause:CSE-PENDING @clause:ASYNC-NO-BLOCKING
  Scenario: A pending connect completes exactly once with the caller's context
    When C1 connects through SE to L
    And the peer accepts the request on L as P1
    Then the connect of C1 succeeds
    And the connect of C1 followed the completion rule

  @clause:ASYNC-NO-COMPLETION-AFTER-INLINE @clause:ASYNC-COMPLETION-IN-CALL
  Scenario: A failed connect follows the completion rule on whichever path it took
    When C1 connects through SE to a destination where nothing listens
    Then the connect of C1 fails with STATUS_CONNECTION_REFUSED
    And the connect of C1 followed the completion rule

  @clause:LISTEN-CONNECT-EVENT
  Scenario: The connect event hands over a new connector with the listener's context
    When C1 connects through SE to L
    Then the peer receives a connect request on L as P1
    And L's connect event carried the context given to NdkCreateListener

  @clause:CREATE-COMPLETION-PATTERN
  Scenario: Creating each object of a connection follows the create pattern
    When the consumer creates a PD, a CQ, a QP, a connector, a shared endpoint and a listener on the local adapter
    Then every create returned STATUS_SUCCESS with the object or STATUS_PENDING and one completion carrying it

  @clause:CREATE-INSUFFICIENT-RESOURCES
  Scenario Outline: An adapter out of resources refuses a <object> with STATUS_INSUFFICIENT_RESOURCES, or creates it
    Given the local adapter's resources are exhausted
    When the consumer creates a <object> on the local adapter
    Then that create fails with STATUS_INSUFFICIENT_RESOURCES or succeeds

    Examples:
      | object    |
      | PD        |
      | CQ        |
      | QP        |
      | connector |
      | listener  |

  @clause:CREATE-CQ-DEPTH-LIMIT
  Scenario: A CQ one entry deeper than the adapter's MaxCqDepth is refused
    When the consumer creates a CQ on the local adapter with CqDepth one above MaxCqDepth
    Then that create fails with STATUS_INVALID_PARAMETER

  @clause:CREATE-QP-LIMITS
  Scenario Outline: A QP whose <size> is one above the adapter's <maximum> is refused
    When the consumer creates a QP on the local adapter with <size> one above <maximum>
    Then that create fails with STATUS_INVALID_PARAMETER

    Examples:
      | size                   | maximum                |
      | ReceiveQueueDepth      | MaxReceiveQueueDepth   |
      | InitiatorQueueDepth    | MaxInitiatorQueueDepth |
      | MaxReceiveRequestSge   | MaxReceiveRequestSge   |
      | MaxInitiatorRequestSge | MaxInitiatorRequestSge |
      | InlineDataSize         | MaxInlineDataSize      |
