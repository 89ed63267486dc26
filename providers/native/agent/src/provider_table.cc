#include "provider_table.h"

#include <dlfcn.h>
#include <openssl/evp.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <vector>

#include "crash.h"
#include "log.h"

namespace ndkagent {

namespace {

std::string sha256_of(const std::string& path) {
    FILE* f = fopen(path.c_str(), "rb");
    if (f == nullptr) {
        return std::string("not hashed (") + strerror(errno) + ")";
    }
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
    std::vector<unsigned char> buf(1 << 16);
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) {
        EVP_DigestUpdate(md, buf.data(), n);
    }
    fclose(f);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    std::string hex;
    for (unsigned int i = 0; i < len; i++) {
        hex += format("%02x", digest[i]);
    }
    return hex;
}

}  // namespace

const char* object_type_name(int type) {
    switch (type) {
        case NDK_OBJECT_ADAPTER: return "ADAPTER";
        case NDK_OBJECT_QP: return "QP";
        case NDK_OBJECT_CQ: return "CQ";
        case NDK_OBJECT_PD: return "PD";
        case NDK_OBJECT_SHARED_ENDPOINT: return "SHARED_ENDPOINT";
        case NDK_OBJECT_CONNECTOR: return "CONNECTOR";
        case NDK_OBJECT_LISTENER: return "LISTENER";
        default: return nullptr;
    }
}

std::string load_provider(const std::string& path, LoadedProvider* out) {
    void* lib;
    {
        ProviderScope scope("loading " + path);
        lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    }
    if (lib == nullptr) {
        const char* e = dlerror();
        return "cannot load the provider library: " + std::string(e != nullptr ? e : path);
    }
    auto entry = reinterpret_cast<ndk_provider_entry_fn>(dlsym(lib, NDK_PROVIDER_ENTRY_NAME));
    if (entry == nullptr) {
        return path + " exports no " NDK_PROVIDER_ENTRY_NAME " (see providers/native/include/ndk_provider.h)";
    }
    const ndk_provider* t;
    {
        ProviderScope scope(NDK_PROVIDER_ENTRY_NAME "(1) of " + path);
        t = entry(NDK_PROVIDER_ABI_MAJOR);
    }
    if (t == nullptr) {
        return path + ": " NDK_PROVIDER_ENTRY_NAME "(1) returned NULL: the library has no ABI 1 table";
    }
    // Read the size first: nothing past it is the provider's.
    uint32_t size = t->size;
    const uint32_t version_end = offsetof(ndk_provider, abi_minor) + sizeof t->abi_minor;
    if (size < version_end) {
        return format("%s: the provider's table says it is %u bytes, too small to hold its ABI version "
                      "(an ABI 1.0 table is %zu bytes)", path.c_str(), size, sizeof(ndk_provider));
    }
    if (t->abi_major != NDK_PROVIDER_ABI_MAJOR) {
        return format("%s: the provider's table is ABI %u.%u; this agent serves ABI %u (ndk_provider.h %u.%u)",
                      path.c_str(), t->abi_major, t->abi_minor, NDK_PROVIDER_ABI_MAJOR, NDK_PROVIDER_ABI_MAJOR,
                      NDK_PROVIDER_ABI_MINOR);
    }
    if (size < sizeof(ndk_provider)) {
        return format("%s: the provider's table is %u bytes, smaller than the ABI 1.0 table (%zu bytes): "
                      "rebuild it against providers/native/include/ndk_provider.h",
                      path.c_str(), size, sizeof(ndk_provider));
    }
    // A newer minor's table is larger: the entries this agent knows are the first ones.
    memcpy(&out->table, t, sizeof(ndk_provider));
    const ndk_provider& p = out->table;
    if (p.name == nullptr || p.name[0] == '\0' || p.version == nullptr || p.version[0] == '\0') {
        return path + ": the provider's table has no name or no version";
    }
    struct Entry {
        const char* name;
        bool present;
    };
    const Entry mandatory[] = {
#define NDK_ENTRY(f) {#f, p.f != nullptr}
        NDK_ENTRY(open_testbed), NDK_ENTRY(close_testbed), NDK_ENTRY(testbed_adapter),
        NDK_ENTRY(testbed_addresses), NDK_ENTRY(testbed_lab_address), NDK_ENTRY(exhaust_resources),
        NDK_ENTRY(exhaust_ephemeral_ports), NDK_ENTRY(release_held), NDK_ENTRY(listener_backlog),
        NDK_ENTRY(connect_timeout_ms), NDK_ENTRY(object_type), NDK_ENTRY(query_adapter_info),
        NDK_ENTRY(create_pd), NDK_ENTRY(create_cq), NDK_ENTRY(create_qp), NDK_ENTRY(create_connector),
        NDK_ENTRY(create_shared_endpoint), NDK_ENTRY(create_listener), NDK_ENTRY(close), NDK_ENTRY(connect),
        NDK_ENTRY(connect_with_shared_endpoint), NDK_ENTRY(complete_connect), NDK_ENTRY(accept),
        NDK_ENTRY(reject), NDK_ENTRY(get_connection_data), NDK_ENTRY(get_local_address),
        NDK_ENTRY(get_peer_address), NDK_ENTRY(disconnect), NDK_ENTRY(listen), NDK_ENTRY(control_connect_events),
#undef NDK_ENTRY
    };
    std::string missing;
    for (const Entry& e : mandatory) {
        if (!e.present) {
            missing += (missing.empty() ? "" : ", ") + std::string(e.name);
        }
    }
    if (!missing.empty()) {
        return path + ": the provider's table has no " + missing + " (NULL; only lift_condition, resource_counts, "
               "qp_read_limits, four_tuple_release_delay_ms, identity and close_adapter may be NULL)";
    }
    out->path = path;
    size_t slash = path.find_last_of('/');
    out->file = slash == std::string::npos ? path : path.substr(slash + 1);
    out->sha256 = sha256_of(path);
    out->table_size = size;
    return "";
}

}  // namespace ndkagent
