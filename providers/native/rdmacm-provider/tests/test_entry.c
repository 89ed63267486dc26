/*
 * test_entry.c - the library as the agent sees it, on a host without RDMA: dlopen, the one
 * exported symbol, a complete table for ABI 1 and none for another major, open_testbed failing
 * cleanly with NDK_TESTBED_UNAVAILABLE and a message, and bad handles answered with errors.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ndk_provider.h"

static const ndk_provider *p;

static void ignore_completion(void *context, ndk_status status)
{
    (void)context;
    (void)status;
}

static void ignore_close(void *context)
{
    (void)context;
}

static void ignore_count(void *context, const char *key, int64_t count)
{
    (void)context;
    (void)key;
    (void)count;
}

static void test_table(void)
{
    CHECK(p != NULL);
    if (p == NULL)
        return;
    CHECK_EQ(p->size, sizeof(ndk_provider));
    CHECK_EQ(p->abi_major, NDK_PROVIDER_ABI_MAJOR);
    CHECK_EQ(p->abi_minor, NDK_PROVIDER_ABI_MINOR);
    CHECK(p->name != NULL && strcmp(p->name, "rdmacm-c") == 0);
    CHECK(p->version != NULL && p->vendor != NULL && p->description != NULL);
    CHECK_EQ(p->capabilities, NDK_CAPABILITY_IPV4 | NDK_CAPABILITY_IPV6);
    /* every entry of the table is set */
    const void *const *fn = (const void *const *)&p->open_testbed;
    const void *const *end = (const void *const *)((const char *)p + sizeof *p);
    int null_entries = 0, entries = 0;
    for (; fn < end; fn++, entries++)
        null_entries += *fn == NULL;
    CHECK_EQ(entries, 36);   /* ABI 1.0: open_testbed ... close_adapter */
    CHECK_EQ(null_entries, 0);
}

static void test_open_without_rdma(void)
{
    const char *keys[] = { "local", "peer" };
    const char *values[] = { "198.18.0.1", "198.18.1.1" };
    ndk_testbed_options o = { sizeof o, 1500, 2, keys, values };
    ndk_testbed *tb = (ndk_testbed *)&o;   /* must be overwritten with NULL */
    char why[512] = "";
    int rc = p->open_testbed(&o, &tb, why, sizeof why);
    if (rc == NDK_TESTBED_OPENED) {        /* a machine with RDMA (the lab): nothing to check here */
        CHECK(tb != NULL);
        p->close_testbed(tb);
        printf("  open_testbed: opened (this machine has RDMA): the no-device checks are skipped\n");
        return;
    }
    CHECK_EQ(rc, NDK_TESTBED_UNAVAILABLE);
    CHECK(tb == NULL);
    CHECK(strstr(why, "RDMA") != NULL);
    printf("  open_testbed: %s\n", why);
    /* without settings or environment: the same answer, never a crash */
    why[0] = '\0';
    CHECK_EQ(p->open_testbed(NULL, &tb, why, sizeof why), NDK_TESTBED_UNAVAILABLE);
    CHECK(why[0] != '\0');
    CHECK_EQ(p->open_testbed(&o, NULL, why, sizeof why), NDK_TESTBED_UNAVAILABLE);
    CHECK_EQ(p->open_testbed(&o, &tb, NULL, 0), NDK_TESTBED_UNAVAILABLE);
}

static void test_bad_handles(void)
{
    struct { char bytes[256]; } fake = { { 0 } };
    ndk_object *bogus = (ndk_object *)&fake;
    ndk_testbed *no_tb = (ndk_testbed *)&fake;
    uint8_t sa[28] = { 2, 0, 0x1b, 0x58, 198, 18, 1, 1 };
    uint32_t len = 128;
    ndk_object *out = (ndk_object *)&fake;
    ndk_adapter_info info = { .size = sizeof info };
    ndk_unavailable why;
    CHECK_EQ(p->object_type(NULL), 0);
    CHECK_EQ(p->object_type(bogus), 0);
    CHECK_EQ(p->close(bogus, ignore_close, NULL), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->query_adapter_info(bogus, &info), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->query_adapter_info(bogus, NULL), NDK_STATUS_INVALID_PARAMETER);
    CHECK_EQ(p->create_pd(bogus, NULL, NULL, &out), NDK_STATUS_INVALID_HANDLE);
    CHECK(out == NULL);
    CHECK_EQ(p->create_cq(bogus, 16, NULL, NULL, &out), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->create_qp(bogus, bogus, bogus, &(ndk_qp_parameters){ 16, 16, 1, 1, 0 }, NULL, NULL, &out),
             NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->create_connector(bogus, NULL, NULL, &out), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->create_shared_endpoint(bogus, sa, 16, NULL, NULL, &out), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->create_listener(bogus, NULL, NULL, NULL, NULL, &out), NDK_STATUS_INVALID_PARAMETER);
    CHECK_EQ(p->connect_with_shared_endpoint(bogus, bogus, bogus, sa, 16, 1, 1, NULL, 0, ignore_completion, NULL),
             NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->connect_with_shared_endpoint(bogus, bogus, bogus, sa, 16, 1, 1, NULL, 0, NULL, NULL),
             NDK_STATUS_INVALID_PARAMETER);
    CHECK_EQ(p->connect(bogus, bogus, sa, 16, sa, 16, 1, 1, NULL, 0, ignore_completion, NULL), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->complete_connect(bogus, NULL, NULL, ignore_completion, NULL), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->accept(bogus, bogus, 1, 1, NULL, 0, NULL, NULL, ignore_completion, NULL), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->reject(bogus, NULL, 0), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->get_connection_data(bogus, NULL, NULL, NULL, &len), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->get_connection_data(bogus, NULL, NULL, NULL, NULL), NDK_STATUS_INVALID_PARAMETER);
    CHECK_EQ(p->get_local_address(bogus, sa, &len), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->get_peer_address(bogus, sa, &len), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->disconnect(bogus, ignore_completion, NULL), NDK_STATUS_INVALID_HANDLE);
    CHECK_EQ(p->listen(bogus, sa, 16, ignore_completion, NULL), NDK_STATUS_INVALID_HANDLE);
    p->control_connect_events(bogus, 1);
    /* testbed functions with a testbed that is not one */
    CHECK(p->testbed_adapter(no_tb, NDK_HOST_LOCAL) == NULL);
    CHECK_EQ(p->testbed_addresses(no_tb, NDK_HOST_LOCAL, NULL, NULL, 0), 0);
    CHECK_EQ(p->testbed_lab_address(no_tb, NDK_LAB_SILENT_HOST, sa, &len, &why), 0);
    CHECK_EQ(p->listener_backlog(no_tb, &len, &why), 0);
    CHECK_EQ(p->resource_counts(no_tb, ignore_count, NULL, &why), 0);
    CHECK_EQ(p->connect_timeout_ms(no_tb), 0);
    p->release_held(no_tb, (ndk_held *)&fake);
    p->close_adapter(bogus);
    p->close_testbed(no_tb);
    p->close_testbed(NULL);
}

int main(void)
{
    void *lib = dlopen(NDK_PROVIDER_PATH, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen %s: %s\n", NDK_PROVIDER_PATH, dlerror());
        return 1;
    }
    ndk_provider_entry_fn entry = (ndk_provider_entry_fn)dlsym(lib, NDK_PROVIDER_ENTRY_NAME);
    CHECK(entry != NULL);
    if (entry == NULL)
        return check_summary("test_entry");
    CHECK(entry(0) == NULL);
    CHECK(entry(2) == NULL);
    p = entry(1);
    RUN(test_table);
    if (p != NULL) {
        RUN(test_open_without_rdma);
        RUN(test_bad_handles);
    }
    /* only ndk_provider_entry is exported */
    CHECK(dlsym(lib, "rc_connect") == NULL);
    CHECK(dlsym(lib, "nd_parse_sockaddr") == NULL);
    int rc = check_summary("test_entry");
    dlclose(lib);
    return rc;
}
