/*
 * skeleton_provider.c - the starting point of an NDK provider library in C.
 *
 * Copy this folder, rename the provider (SKELETON_NAME below), and implement the TODO(vendor) marks
 * in order: the kit tells you what is missing at each step. Build it against
 * providers/native/include/ndk_provider.h, serve it with the C++ agent and run the kit:
 *
 *   providers/native/target/release/agent/ndk-agent-native --provider-lib ./libacme-provider.so --listen 127.0.0.1:7400
 *   ./ndk run --provider remote -s local=127.0.0.1:7400
 *
 * As it stands, open_testbed says the testbed is not implemented: the kit then reports every scenario
 * unsupported (reason not-implemented, with the message below) and the run is not certified (exit 1),
 * never an environment error and never a pass. providers/native/README.md gives the steps.
 *
 * The rules every function follows are in ndk_provider.h's header comment: NTSTATUS values, SOCKADDR
 * bytes with their declared length (check both: the kit sends malformed ones on purpose), NDK's
 * completion rule (an inline status and no completion, or STATUS_PENDING and exactly one completion
 * with the caller's context), the threading rules, and which table entries may be NULL.
 */
#include <stdio.h>
#include <string.h>

#include "ndk_provider.h"

#define SKELETON_NAME "skeleton" /* TODO(vendor): the lower-case name the kit's report shows */
#define SKELETON_VERSION "0.1.0" /* TODO(vendor): your provider's version */

#if defined(__GNUC__)
#define SKELETON_EXPORT __attribute__((visibility("default")))
#else
#define SKELETON_EXPORT
#endif

/* Writes "not-implemented" and a sentence naming what to implement. */
static void not_implemented(ndk_unavailable *why, const char *what) {
    snprintf(why->code, sizeof why->code, "not-implemented");
    snprintf(why->detail, sizeof why->detail, "the " SKELETON_NAME " testbed does not yet %s", what);
}

/* ------------------------------------------------------------------------------- the testbed */

/*
 * TODO(vendor) step 1: open the adapter of each host (NDK_HOST_LOCAL connects, NDK_HOST_PEER listens;
 * one machine and one device will do while their addresses differ), find their IP addresses, set your
 * connect timer to options->connect_timeout_ms, read your settings (options->setting_keys/_values:
 * the kit's -s KEY=VALUE and the agent's own), then set *testbed and return NDK_TESTBED_OPENED.
 * Return NDK_TESTBED_UNAVAILABLE with a sentence in 'why' when the machine cannot host the provider
 * (no device, no driver, no permission): the kit reports an environment error (exit 2).
 */
static int skeleton_open_testbed(const ndk_testbed_options *options, ndk_testbed **testbed, char *why,
                                 size_t why_size) {
    *testbed = NULL;
    snprintf(why, why_size, "the " SKELETON_NAME " provider is a skeleton: its testbed does not yet open an "
             "adapter on either host; implement skeleton_open_testbed (providers/native/README.md, step 1)");
    return NDK_TESTBED_NOT_IMPLEMENTED;
}

/* TODO(vendor) step 1: close everything the testbed opened; return only when every callback of every
   object under it has returned. */
static void skeleton_close_testbed(ndk_testbed *testbed) {}

/* TODO(vendor) step 1: the host's opened adapter (an object whose object_type is NDK_OBJECT_ADAPTER). */
static ndk_object *skeleton_testbed_adapter(ndk_testbed *testbed, ndk_host host) {
    return NULL;
}

/* TODO(vendor) step 1: the host's IP addresses (at least one each, distinct between the hosts; more
   peer addresses let more scenarios run). Return how many there are. */
static size_t skeleton_testbed_addresses(ndk_testbed *testbed, ndk_host host, uint8_t (*ips)[16], uint8_t *lens,
                                         size_t capacity) {
    return 0;
}

/*
 * TODO(vendor) step 4: an address (and ND port where it matters) that shows each condition:
 *   NDK_LAB_NO_LISTENER            a peer address and port where nothing listens (CONNECTION_REFUSED)
 *   NDK_LAB_NETWORK_UNREACHABLE    a destination in a network with no route (NETWORK_UNREACHABLE)
 *   NDK_LAB_HOST_UNREACHABLE       a destination whose route reports the host unreachable
 *   NDK_LAB_SILENT_HOST            a destination that never answers (IO_TIMEOUT from the connect timer)
 *   NDK_LAB_FOREIGN_LOCAL_ADDRESS  an address that is not one of the LOCAL adapter's (INVALID_ADDRESS)
 * Keep an honest 'why' for the ones your lab cannot make: those scenarios become unsupported.
 */
static int skeleton_testbed_lab_address(ndk_testbed *testbed, ndk_lab_condition condition, uint8_t *sockaddr,
                                        uint32_t *length, ndk_unavailable *why) {
    not_implemented(why, "produce lab conditions: implement skeleton_testbed_lab_address");
    return 0;
}

/* TODO(vendor) step 5: make the host's adapter run out of what a new connection needs (creates and
   connects then fail with INSUFFICIENT_RESOURCES) until release_held; say how (*method: a real limit,
   or injected failures of your own allocations) and describe it in one sentence. */
static int skeleton_exhaust_resources(ndk_testbed *testbed, ndk_host host, ndk_held **held,
                                      ndk_exhaustion_method *method, char *description, size_t description_size,
                                      ndk_unavailable *why) {
    not_implemented(why, "exhaust an adapter's resources: implement skeleton_exhaust_resources");
    return 0;
}

/* TODO(vendor) step 5: use up the ephemeral ports of one local IP (4 or 16 bytes) until release_held. */
static int skeleton_exhaust_ephemeral_ports(ndk_testbed *testbed, const uint8_t *ip, uint8_t ip_length,
                                            ndk_held **held, ndk_exhaustion_method *method, char *description,
                                            size_t description_size, ndk_unavailable *why) {
    not_implemented(why, "exhaust ephemeral ports: implement skeleton_exhaust_ephemeral_ports");
    return 0;
}

/* TODO(vendor) step 5: put back what an exhaustion (or a lifted condition) took. */
static void skeleton_release_held(ndk_testbed *testbed, ndk_held *held) {
}

/* TODO(vendor) step 4: how many connect requests a listener queues before it refuses more. */
static int skeleton_listener_backlog(ndk_testbed *testbed, uint32_t *backlog, ndk_unavailable *why) {
    not_implemented(why, "know its listener backlog: implement skeleton_listener_backlog");
    return 0;
}

/* TODO(vendor) step 6: your live objects and native resources by kind, for the kit's leak check after
   every scenario (without it LIFE-CLOSE-RELEASES is unsupported, never passed). */
static int skeleton_resource_counts(ndk_testbed *testbed, ndk_count_sink sink, void *sink_context,
                                    ndk_unavailable *why) {
    snprintf(why->code, sizeof why->code, "no-resource-counts");
    snprintf(why->detail, sizeof why->detail, "the " SKELETON_NAME " provider does not count its live objects yet");
    return 0;
}

/* TODO(vendor) step 1: the connect timeout the testbed runs with (the kit's, given at open). */
static uint64_t skeleton_connect_timeout_ms(ndk_testbed *testbed) {
    return 0;
}

/* TODO(vendor) step 6: driver, firmware and device facts for the report ("local.device", "driver", ...:
   lower-case-hyphenated keys, one-line values). */
static void skeleton_identity(ndk_testbed *testbed, ndk_fact_sink sink, void *sink_context) {
}

/* ------------------------------------------------------------------------------- the objects */
/*
 * TODO(vendor) steps 2 and 3: the NDK objects. Each returns an NTSTATUS; until implemented,
 * STATUS_NOT_SUPPORTED (the kit reports the scenarios that reach them failed, naming the function).
 * Step 2: object_type, query_adapter_info, the creates and close (the kit's preflight makes a shared
 * endpoint and a listener); step 3: listen, connect_with_shared_endpoint, accept, reject,
 * complete_connect, get_connection_data, the addresses, disconnect; connect last.
 */

static ndk_object_type skeleton_object_type(ndk_object *object) {
    return NDK_OBJECT_ADAPTER;
}

static ndk_status skeleton_query_adapter_info(ndk_object *adapter, ndk_adapter_info *info) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_create_pd(ndk_object *adapter, ndk_create_completion completion, void *context,
                                     ndk_object **pd) {
    *pd = NULL;
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_create_cq(ndk_object *adapter, uint32_t cq_depth, ndk_create_completion completion,
                                     void *context, ndk_object **cq) {
    *cq = NULL;
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_create_qp(ndk_object *pd, ndk_object *receive_cq, ndk_object *initiator_cq,
                                     const ndk_qp_parameters *parameters, ndk_create_completion completion,
                                     void *context, ndk_object **qp) {
    *qp = NULL;
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_create_connector(ndk_object *adapter, ndk_create_completion completion, void *context,
                                            ndk_object **connector) {
    *connector = NULL;
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_create_shared_endpoint(ndk_object *adapter, const uint8_t *sockaddr, uint32_t length,
                                                  ndk_create_completion completion, void *context,
                                                  ndk_object **shared_endpoint) {
    *shared_endpoint = NULL;
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_create_listener(ndk_object *adapter, ndk_connect_event connect_event,
                                           void *connect_event_context, ndk_create_completion completion,
                                           void *context, ndk_object **listener) {
    *listener = NULL;
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_close(ndk_object *object, ndk_close_completion completion, void *context) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_connect(ndk_object *connector, ndk_object *qp, const uint8_t *source,
                                   uint32_t source_length, const uint8_t *destination, uint32_t destination_length,
                                   uint32_t inbound_read_limit, uint32_t outbound_read_limit,
                                   const void *private_data, uint32_t private_data_length,
                                   ndk_request_completion completion, void *context) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_connect_with_shared_endpoint(ndk_object *connector, ndk_object *qp,
                                                        ndk_object *shared_endpoint, const uint8_t *destination,
                                                        uint32_t destination_length, uint32_t inbound_read_limit,
                                                        uint32_t outbound_read_limit, const void *private_data,
                                                        uint32_t private_data_length,
                                                        ndk_request_completion completion, void *context) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_complete_connect(ndk_object *connector, ndk_disconnect_event disconnect_event,
                                            void *disconnect_event_context, ndk_request_completion completion,
                                            void *context) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_accept(ndk_object *connector, ndk_object *qp, uint32_t inbound_read_limit,
                                  uint32_t outbound_read_limit, const void *private_data,
                                  uint32_t private_data_length, ndk_disconnect_event disconnect_event,
                                  void *disconnect_event_context, ndk_request_completion completion, void *context) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_reject(ndk_object *connector, const void *private_data, uint32_t private_data_length) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_get_connection_data(ndk_object *connector, uint32_t *inbound_read_limit,
                                               uint32_t *outbound_read_limit, void *private_data,
                                               uint32_t *private_data_length) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_get_local_address(ndk_object *object, uint8_t *sockaddr, uint32_t *length) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_get_peer_address(ndk_object *connector, uint8_t *sockaddr, uint32_t *length) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_disconnect(ndk_object *connector, ndk_request_completion completion, void *context) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static ndk_status skeleton_listen(ndk_object *listener, const uint8_t *sockaddr, uint32_t length,
                                  ndk_request_completion completion, void *context) {
    return NDK_STATUS_NOT_SUPPORTED;
}

static void skeleton_control_connect_events(ndk_object *listener, int pause) {
}

/* --------------------------------------------------------------------------------- the table */

static const ndk_provider skeleton_table = {
    .size = sizeof(ndk_provider),
    .abi_major = NDK_PROVIDER_ABI_MAJOR,
    .abi_minor = NDK_PROVIDER_ABI_MINOR,
    .name = SKELETON_NAME,
    .version = SKELETON_VERSION,
    .vendor = "example.com", /* TODO(vendor): your company's name */
    .description = "skeleton of a C provider (providers/native/skeleton-provider): nothing implemented yet",
    .capabilities = 0, /* TODO(vendor): NDK_CAPABILITY_IPV4 | NDK_CAPABILITY_IPV6 once they work */
    .open_testbed = skeleton_open_testbed,
    .close_testbed = skeleton_close_testbed,
    .testbed_adapter = skeleton_testbed_adapter,
    .testbed_addresses = skeleton_testbed_addresses,
    .testbed_lab_address = skeleton_testbed_lab_address,
    .exhaust_resources = skeleton_exhaust_resources,
    .exhaust_ephemeral_ports = skeleton_exhaust_ephemeral_ports,
    .lift_condition = NULL, /* optional: a lab that can lift NETWORK_UNREACHABLE, HOST_UNREACHABLE, SILENT_HOST */
    .release_held = skeleton_release_held,
    .listener_backlog = skeleton_listener_backlog,
    .resource_counts = skeleton_resource_counts,
    .qp_read_limits = NULL, /* optional: what a QP's device allows now */
    .connect_timeout_ms = skeleton_connect_timeout_ms,
    .four_tuple_release_delay_ms = NULL, /* optional: 0 ms */
    .identity = skeleton_identity,
    .object_type = skeleton_object_type,
    .query_adapter_info = skeleton_query_adapter_info,
    .create_pd = skeleton_create_pd,
    .create_cq = skeleton_create_cq,
    .create_qp = skeleton_create_qp,
    .create_connector = skeleton_create_connector,
    .create_shared_endpoint = skeleton_create_shared_endpoint,
    .create_listener = skeleton_create_listener,
    .close = skeleton_close,
    .connect = skeleton_connect,
    .connect_with_shared_endpoint = skeleton_connect_with_shared_endpoint,
    .complete_connect = skeleton_complete_connect,
    .accept = skeleton_accept,
    .reject = skeleton_reject,
    .get_connection_data = skeleton_get_connection_data,
    .get_local_address = skeleton_get_local_address,
    .get_peer_address = skeleton_get_peer_address,
    .disconnect = skeleton_disconnect,
    .listen = skeleton_listen,
    .control_connect_events = skeleton_control_connect_events,
    .close_adapter = NULL, /* optional: the adapters then close with close_testbed */
};

/* The one exported symbol: the table for ABI major 1, NULL for any other. */
SKELETON_EXPORT const ndk_provider *ndk_provider_entry(uint32_t abi_major) {
    return abi_major == NDK_PROVIDER_ABI_MAJOR ? &skeleton_table : NULL;
}
