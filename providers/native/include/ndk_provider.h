/*
 * ndk_provider.h - the C ABI of an NDK provider for the NDK conformance kit (ABI 1.0).
 *
 * A provider written in C (or any language with a C ABI) is a shared library that exports one
 * function, NDK_PROVIDER_ENTRY_NAME ("ndk_provider_entry"), returning a dispatch table. The kit's
 * C++ agent (providers/native/agent) loads the library, checks the table and serves it over
 * ndk.wire.v1, exactly as the Java agent serves a Java provider; the kit drives it with its
 * `remote` provider. The functions mirror the NDKPI (ndkpi.h) connection-establishment calls and
 * the kit's Java SPI (org.ndkkit.spi): same names, same statuses, same completion rules.
 *
 * ---------------------------------------------------------------------------------------------
 * Values
 *   - Statuses are NTSTATUS values (ndk_status); NDK_STATUS_* below are the ones the spec uses.
 *   - Addresses are Windows SOCKADDR bytes with their declared length: SOCKADDR_IN (family 2,
 *     16 bytes) or SOCKADDR_IN6 (family 23, 28 bytes), port and address in network order. A
 *     provider must check the declared length and family itself: the kit sends malformed ones on
 *     purpose and expects NDK's errors, never a crash.
 *   - Read limits and lengths are ULONG (uint32_t).
 *   - A pointer argument is NULL where the consumer passed NULL (the kit does so on purpose): an
 *     input or output buffer, a ULONG cell, an object argument, a completion. The object a call is
 *     made on is never NULL. An input buffer is readable up to its declared length, an output
 *     buffer writable up to the length its cell declares (the agent pads what the kit sent).
 *   - Every object is an opaque ndk_object *, created by the provider; its type is fixed
 *     (ndk_object_type_of). A handle is valid from its create until its close completes.
 *
 * Completion rules (NDK's, checked by the kit on every call)
 *   - A request (connect, accept, complete_connect, disconnect, listen) returns SUCCESS or an
 *     error inline and then never calls its completion; or it returns NDK_STATUS_PENDING and calls
 *     its completion exactly once, with the caller's context, later.
 *   - A create returns SUCCESS with *object set, or PENDING and calls its create completion exactly
 *     once with the object, or an error with *object NULL and no completion.
 *   - close returns SUCCESS (closed, no completion) or PENDING (its close completion comes once).
 *     After the close completed no callback for that object may come.
 *
 * Threading rules
 *   - Every function may be called from any thread, concurrently on different objects.
 *   - Callbacks (completions, connect events, disconnect events) may come on any thread. A
 *     callback may come on the thread of the call that caused it, inside that call, only when that
 *     call then returns NDK_STATUS_PENDING.
 *   - A callback may call back into the provider (for example close an object from inside its
 *     connect event), except close_adapter and close_testbed.
 *   - The agent may block inside a callback until the kit has answered it (bounded: 60 s by
 *     default); a provider must not hold a lock the callback's own calls need.
 *   - close_adapter and close_testbed are blocking: when they return, every callback of every
 *     object under them has returned.
 *
 * Compatibility
 *   - The table starts with its size and ABI version. Within ABI major 1 only additions are made,
 *     at the end of the table, each counted by a minor; an agent uses an entry only when the
 *     table's size covers it. A table of another major is refused.
 * ---------------------------------------------------------------------------------------------
 */
#ifndef NDK_PROVIDER_H
#define NDK_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NDK_PROVIDER_ABI_MAJOR 1u
#define NDK_PROVIDER_ABI_MINOR 0u
#define NDK_PROVIDER_ENTRY_NAME "ndk_provider_entry"

/* ------------------------------------------------------------------------------------ statuses */

typedef int32_t ndk_status;

#define NDK_STATUS_SUCCESS                  ((ndk_status)0x00000000)
#define NDK_STATUS_TIMEOUT                  ((ndk_status)0x00000102)
#define NDK_STATUS_PENDING                  ((ndk_status)0x00000103)
#define NDK_STATUS_UNSUCCESSFUL             ((ndk_status)0xC0000001)
#define NDK_STATUS_INVALID_HANDLE           ((ndk_status)0xC0000008)
#define NDK_STATUS_INVALID_PARAMETER        ((ndk_status)0xC000000D)
#define NDK_STATUS_BUFFER_TOO_SMALL         ((ndk_status)0xC0000023)
#define NDK_STATUS_SHARING_VIOLATION        ((ndk_status)0xC0000043)
#define NDK_STATUS_INSUFFICIENT_RESOURCES   ((ndk_status)0xC000009A)
#define NDK_STATUS_IO_TIMEOUT               ((ndk_status)0xC00000B5)
#define NDK_STATUS_NOT_SUPPORTED            ((ndk_status)0xC00000BB)
#define NDK_STATUS_INTERNAL_ERROR           ((ndk_status)0xC00000E5)
#define NDK_STATUS_CANCELLED                ((ndk_status)0xC0000120)
#define NDK_STATUS_INVALID_ADDRESS          ((ndk_status)0xC0000141)
#define NDK_STATUS_INVALID_DEVICE_STATE     ((ndk_status)0xC0000184)
#define NDK_STATUS_INVALID_BUFFER_SIZE      ((ndk_status)0xC0000206)
#define NDK_STATUS_TOO_MANY_ADDRESSES       ((ndk_status)0xC0000209)
#define NDK_STATUS_ADDRESS_ALREADY_EXISTS   ((ndk_status)0xC000020A)
#define NDK_STATUS_CONNECTION_DISCONNECTED  ((ndk_status)0xC000020C)
#define NDK_STATUS_CONNECTION_RESET         ((ndk_status)0xC000020D)
#define NDK_STATUS_CONNECTION_REFUSED       ((ndk_status)0xC0000236)
#define NDK_STATUS_ADDRESS_ALREADY_ASSOCIATED ((ndk_status)0xC0000238)
#define NDK_STATUS_CONNECTION_INVALID       ((ndk_status)0xC000023A)
#define NDK_STATUS_CONNECTION_ACTIVE        ((ndk_status)0xC000023B)
#define NDK_STATUS_NETWORK_UNREACHABLE      ((ndk_status)0xC000023C)
#define NDK_STATUS_HOST_UNREACHABLE         ((ndk_status)0xC000023D)
#define NDK_STATUS_CONNECTION_ABORTED       ((ndk_status)0xC0000241)
#define NDK_STATUS_DEVICE_REMOVED           ((ndk_status)0xC00002B6)

/* ------------------------------------------------------------------------------------- objects */

typedef struct ndk_object ndk_object;       /* adapter, PD, CQ, QP, connector, shared endpoint, listener */
typedef struct ndk_testbed ndk_testbed;     /* the lab a provider runs the scenarios in */
typedef struct ndk_held ndk_held;           /* an exhaustion or a lifted condition, until released */

typedef enum ndk_object_type {              /* NDK_OBJECT_TYPE: the numbers are ndkpi.h's */
    NDK_OBJECT_ADAPTER = 1,
    NDK_OBJECT_QP = 2,
    NDK_OBJECT_CQ = 3,
    NDK_OBJECT_PD = 6,
    NDK_OBJECT_SHARED_ENDPOINT = 7,
    NDK_OBJECT_CONNECTOR = 8,
    NDK_OBJECT_LISTENER = 9
} ndk_object_type;

typedef enum ndk_host {
    NDK_HOST_LOCAL = 1,                     /* the active side: shared endpoints, connects */
    NDK_HOST_PEER = 2                       /* the passive side: listeners, accept and reject */
} ndk_host;

typedef enum ndk_lab_condition {
    NDK_LAB_NO_LISTENER = 1,                /* a peer address and port nobody listens on */
    NDK_LAB_NETWORK_UNREACHABLE = 2,
    NDK_LAB_HOST_UNREACHABLE = 3,
    NDK_LAB_SILENT_HOST = 4,                /* on-link, never answers: connects end in IO_TIMEOUT */
    NDK_LAB_FOREIGN_LOCAL_ADDRESS = 5       /* an IP that is not the LOCAL adapter's */
} ndk_lab_condition;

typedef enum ndk_exhaustion_method {
    NDK_EXHAUSTION_UNDECLARED = 0,
    NDK_EXHAUSTION_REAL_LIMIT = 1,          /* a real device or OS limit was reached */
    NDK_EXHAUSTION_INJECTED = 2             /* the provider's own allocations fail on purpose */
} ndk_exhaustion_method;

#define NDK_CAPABILITY_IPV4      0x1u
#define NDK_CAPABILITY_IPV6      0x2u
#define NDK_CAPABILITY_NDKPI_2_1 0x4u

/* NDK_ADAPTER_INFO. 'size' first: the provider fills what its ABI minor knows. */
typedef struct ndk_adapter_info {
    uint32_t size;                          /* sizeof(ndk_adapter_info), set by the caller */
    uint16_t version_major, version_minor;  /* NDK_VERSION the adapter implements, e.g. 1.2 */
    uint32_t vendor_id, device_id;
    uint64_t max_registration_size, max_window_size;
    uint32_t frmr_page_count;
    uint32_t max_initiator_request_sge, max_receive_request_sge, max_read_request_sge;
    uint32_t max_transfer_length, max_inline_data_size;
    uint32_t max_inbound_read_limit, max_outbound_read_limit;
    uint32_t max_receive_queue_depth, max_initiator_queue_depth, max_srq_depth, max_cq_depth;
    uint32_t large_request_threshold;
    uint32_t max_caller_data, max_callee_data;
    uint32_t adapter_flags;                 /* NDK_ADAPTER_FLAG_* (ndkpi.h's values) */
    uint32_t rdma_technology;               /* NDK_RDMA_TECHNOLOGY: 1 iWARP, 2 InfiniBand, 3 RoCE, 4 RoCEv2 */
} ndk_adapter_info;

typedef struct ndk_qp_parameters {
    uint32_t receive_queue_depth, initiator_queue_depth;
    uint32_t max_receive_request_sge, max_initiator_request_sge;
    uint32_t inline_data_size;
} ndk_qp_parameters;

/* Why a testbed cannot provide something: a stable lower-case-hyphenated code and one sentence. */
typedef struct ndk_unavailable {
    char code[64];
    char detail[512];
} ndk_unavailable;

/* ----------------------------------------------------------------------------------- callbacks */

typedef void (*ndk_request_completion)(void *context, ndk_status status);
typedef void (*ndk_create_completion)(void *context, ndk_status status, ndk_object *object);
typedef void (*ndk_close_completion)(void *context);
/* A new incoming request on a listener: 'connector' is a new passive connector, owned by the caller. */
typedef void (*ndk_connect_event)(void *connect_event_context, ndk_object *connector);
typedef void (*ndk_disconnect_event)(void *disconnect_event_context);
/* One key/value fact or count; the strings are valid only during the call. */
typedef void (*ndk_fact_sink)(void *sink_context, const char *key, const char *value);
typedef void (*ndk_count_sink)(void *sink_context, const char *key, int64_t count);

/* --------------------------------------------------------------------------------------- table */

typedef struct ndk_testbed_options {
    uint32_t size;                          /* sizeof(ndk_testbed_options) */
    uint64_t connect_timeout_ms;            /* a silent host must fail with IO_TIMEOUT by then */
    size_t setting_count;                   /* the kit's -s KEY=VALUE settings */
    const char *const *setting_keys;
    const char *const *setting_values;
} ndk_testbed_options;

/* open_testbed results */
#define NDK_TESTBED_OPENED          0       /* *testbed set */
#define NDK_TESTBED_UNAVAILABLE     1       /* the machine cannot host it: an environment error */
#define NDK_TESTBED_NOT_IMPLEMENTED 2       /* a skeleton: every scenario unsupported (not-implemented) */

/* Every entry is mandatory except lift_condition, resource_counts, qp_read_limits,
   four_tuple_release_delay_ms, identity and close_adapter, which may be NULL (the SPI's defaults:
   unavailable, 0 ms, no facts). */
typedef struct ndk_provider {
    uint32_t size;                          /* sizeof(ndk_provider) as the provider was built */
    uint16_t abi_major, abi_minor;          /* NDK_PROVIDER_ABI_MAJOR / _MINOR it was built with */

    /* identity: lower-case name the kit selects it by, version, vendor, one line of description */
    const char *name, *version, *vendor, *description;
    uint32_t capabilities;                  /* NDK_CAPABILITY_* */

    /* ---- testbed (org.ndkkit.spi.Testbed) ---- */
    /* Opens both hosts' adapters. On failure writes a message (NUL-terminated) into 'why'. */
    int (*open_testbed)(const ndk_testbed_options *options, ndk_testbed **testbed, char *why, size_t why_size);
    /* Closes everything the testbed opened; blocking (see the threading rules). */
    void (*close_testbed)(ndk_testbed *testbed);
    ndk_object *(*testbed_adapter)(ndk_testbed *testbed, ndk_host host);
    /* The host's IPs (4 or 16 bytes each, network order) in ips[i*16], lengths in lens[i].
       Returns how many there are, which may exceed 'capacity' (then only 'capacity' are written). */
    size_t (*testbed_addresses)(ndk_testbed *testbed, ndk_host host, uint8_t (*ips)[16], uint8_t *lens,
                                size_t capacity);
    /* A SOCKADDR exhibiting 'condition': returns 1 and writes it (*length in: the buffer's size, at
       least 28; out: the address's length), or 0 and 'why'. */
    int (*testbed_lab_address)(ndk_testbed *testbed, ndk_lab_condition condition, uint8_t *sockaddr,
                               uint32_t *length, ndk_unavailable *why);
    /* Exhaustion: returns 1 and a handle (released with release_held), or 0 and 'why'. */
    int (*exhaust_resources)(ndk_testbed *testbed, ndk_host host, ndk_held **held,
                             ndk_exhaustion_method *method, char *description, size_t description_size,
                             ndk_unavailable *why);
    int (*exhaust_ephemeral_ports)(ndk_testbed *testbed, const uint8_t *ip, uint8_t ip_length, ndk_held **held,
                                   ndk_exhaustion_method *method, char *description, size_t description_size,
                                   ndk_unavailable *why);
    /* Makes a condition's address a reachable address of PEER until released (NULL: unavailable). */
    int (*lift_condition)(ndk_testbed *testbed, ndk_lab_condition condition, ndk_held **held, ndk_unavailable *why);
    void (*release_held)(ndk_testbed *testbed, ndk_held *held);
    int (*listener_backlog)(ndk_testbed *testbed, uint32_t *backlog, ndk_unavailable *why);
    /* Live objects and native resources by kind (see Testbed.resourceCounts); 0 and 'why' if it cannot count. */
    int (*resource_counts)(ndk_testbed *testbed, ndk_count_sink sink, void *sink_context, ndk_unavailable *why);
    /* What a QP's device allows now (Testbed.qpReadLimits); 0 and 'why' if unknown. */
    int (*qp_read_limits)(ndk_testbed *testbed, ndk_object *qp, uint32_t *inbound, uint32_t *outbound,
                          ndk_unavailable *why);
    uint64_t (*connect_timeout_ms)(ndk_testbed *testbed);
    uint64_t (*four_tuple_release_delay_ms)(ndk_testbed *testbed);
    /* Driver, firmware, device facts (Testbed.identity). */
    void (*identity)(ndk_testbed *testbed, ndk_fact_sink sink, void *sink_context);

    /* ---- objects ---- */
    ndk_object_type (*object_type)(ndk_object *object);
    /* NdkQueryAdapterInfo: fills info (info->size set by the caller). */
    ndk_status (*query_adapter_info)(ndk_object *adapter, ndk_adapter_info *info);
    ndk_status (*create_pd)(ndk_object *adapter, ndk_create_completion completion, void *context, ndk_object **pd);
    ndk_status (*create_cq)(ndk_object *adapter, uint32_t cq_depth, ndk_create_completion completion,
                            void *context, ndk_object **cq);
    ndk_status (*create_qp)(ndk_object *pd, ndk_object *receive_cq, ndk_object *initiator_cq,
                            const ndk_qp_parameters *parameters, ndk_create_completion completion,
                            void *context, ndk_object **qp);
    ndk_status (*create_connector)(ndk_object *adapter, ndk_create_completion completion, void *context,
                                   ndk_object **connector);
    ndk_status (*create_shared_endpoint)(ndk_object *adapter, const uint8_t *sockaddr, uint32_t length,
                                         ndk_create_completion completion, void *context,
                                         ndk_object **shared_endpoint);
    ndk_status (*create_listener)(ndk_object *adapter, ndk_connect_event connect_event,
                                  void *connect_event_context, ndk_create_completion completion,
                                  void *context, ndk_object **listener);
    /* NdkCloseObject for every type but the adapter. */
    ndk_status (*close)(ndk_object *object, ndk_close_completion completion, void *context);

    /* ---- connector ---- */
    ndk_status (*connect)(ndk_object *connector, ndk_object *qp, const uint8_t *source, uint32_t source_length,
                          const uint8_t *destination, uint32_t destination_length, uint32_t inbound_read_limit,
                          uint32_t outbound_read_limit, const void *private_data, uint32_t private_data_length,
                          ndk_request_completion completion, void *context);
    ndk_status (*connect_with_shared_endpoint)(ndk_object *connector, ndk_object *qp, ndk_object *shared_endpoint,
                                               const uint8_t *destination, uint32_t destination_length,
                                               uint32_t inbound_read_limit, uint32_t outbound_read_limit,
                                               const void *private_data, uint32_t private_data_length,
                                               ndk_request_completion completion, void *context);
    ndk_status (*complete_connect)(ndk_object *connector, ndk_disconnect_event disconnect_event,
                                   void *disconnect_event_context, ndk_request_completion completion,
                                   void *context);
    ndk_status (*accept)(ndk_object *connector, ndk_object *qp, uint32_t inbound_read_limit,
                         uint32_t outbound_read_limit, const void *private_data, uint32_t private_data_length,
                         ndk_disconnect_event disconnect_event, void *disconnect_event_context,
                         ndk_request_completion completion, void *context);
    /* Synchronous. */
    ndk_status (*reject)(ndk_object *connector, const void *private_data, uint32_t private_data_length);
    /* Synchronous; inbound/outbound may be NULL; private_data may be NULL; *private_data_length is
       in: the buffer's size, out: the size required (NDK's buffer protocol, see the SPI). */
    ndk_status (*get_connection_data)(ndk_object *connector, uint32_t *inbound_read_limit,
                                      uint32_t *outbound_read_limit, void *private_data,
                                      uint32_t *private_data_length);
    /* Synchronous; for a connector, a shared endpoint or a listener. *length in: buffer size, out:
       bytes written, or the size required with BUFFER_TOO_SMALL. */
    ndk_status (*get_local_address)(ndk_object *object, uint8_t *sockaddr, uint32_t *length);
    ndk_status (*get_peer_address)(ndk_object *connector, uint8_t *sockaddr, uint32_t *length);
    ndk_status (*disconnect)(ndk_object *connector, ndk_request_completion completion, void *context);

    /* ---- listener ---- */
    ndk_status (*listen)(ndk_object *listener, const uint8_t *sockaddr, uint32_t length,
                         ndk_request_completion completion, void *context);
    void (*control_connect_events)(ndk_object *listener, int pause);

    /* ---- adapter ---- */
    /* The adapter's own close (NdkCloseObject on an adapter; the wire's CloseAdapter): blocking, like
       close_testbed. NULL: the adapters close only with close_testbed (a CloseAdapter call then gets
       a provider error). */
    void (*close_adapter)(ndk_object *adapter);
} ndk_provider;

/* The one symbol a provider library exports. 'abi_major' is the agent's; a provider returns NULL
   for a major it does not implement. The table must stay valid until the library is unloaded. */
typedef const ndk_provider *(*ndk_provider_entry_fn)(uint32_t abi_major);

#ifdef __cplusplus
}
#endif

#endif /* NDK_PROVIDER_H */
