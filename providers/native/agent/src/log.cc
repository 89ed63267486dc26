#include "log.h"

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <unistd.h>

#include <atomic>

#include "ndk_provider.h"

namespace ndkagent {

namespace {
std::atomic<bool> debug_on{false};
}

void set_debug(bool on) { debug_on = on; }

bool debug_enabled() { return debug_on.load(std::memory_order_relaxed); }

void log_info(const std::string& message) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    localtime_r(&ts.tv_sec, &t);
    std::string line = format("%02d:%02d:%02d.%03ld ndk-agent-native: ", t.tm_hour, t.tm_min, t.tm_sec,
                              ts.tv_nsec / 1000000) + message + "\n";
    // One write per line, so that lines from many threads (and the supervisor) never interleave.
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t n = write(STDERR_FILENO, p, left);
        if (n <= 0) {
            break;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

std::string format(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
    if (n > 0) {
        vsnprintf(out.data(), out.size() + 1, fmt, ap);
    }
    va_end(ap);
    return out;
}

std::string status_text(int32_t status) {
    struct Known {
        ndk_status code;
        const char* name;
    };
    static const Known known[] = {
        {NDK_STATUS_SUCCESS, "STATUS_SUCCESS"},
        {NDK_STATUS_TIMEOUT, "STATUS_TIMEOUT"},
        {NDK_STATUS_PENDING, "STATUS_PENDING"},
        {NDK_STATUS_UNSUCCESSFUL, "STATUS_UNSUCCESSFUL"},
        {NDK_STATUS_INVALID_HANDLE, "STATUS_INVALID_HANDLE"},
        {NDK_STATUS_INVALID_PARAMETER, "STATUS_INVALID_PARAMETER"},
        {NDK_STATUS_BUFFER_TOO_SMALL, "STATUS_BUFFER_TOO_SMALL"},
        {NDK_STATUS_SHARING_VIOLATION, "STATUS_SHARING_VIOLATION"},
        {NDK_STATUS_INSUFFICIENT_RESOURCES, "STATUS_INSUFFICIENT_RESOURCES"},
        {NDK_STATUS_IO_TIMEOUT, "STATUS_IO_TIMEOUT"},
        {NDK_STATUS_NOT_SUPPORTED, "STATUS_NOT_SUPPORTED"},
        {NDK_STATUS_INTERNAL_ERROR, "STATUS_INTERNAL_ERROR"},
        {NDK_STATUS_CANCELLED, "STATUS_CANCELLED"},
        {NDK_STATUS_INVALID_ADDRESS, "STATUS_INVALID_ADDRESS"},
        {NDK_STATUS_INVALID_DEVICE_STATE, "STATUS_INVALID_DEVICE_STATE"},
        {NDK_STATUS_INVALID_BUFFER_SIZE, "STATUS_INVALID_BUFFER_SIZE"},
        {NDK_STATUS_TOO_MANY_ADDRESSES, "STATUS_TOO_MANY_ADDRESSES"},
        {NDK_STATUS_ADDRESS_ALREADY_EXISTS, "STATUS_ADDRESS_ALREADY_EXISTS"},
        {NDK_STATUS_CONNECTION_DISCONNECTED, "STATUS_CONNECTION_DISCONNECTED"},
        {NDK_STATUS_CONNECTION_RESET, "STATUS_CONNECTION_RESET"},
        {NDK_STATUS_CONNECTION_REFUSED, "STATUS_CONNECTION_REFUSED"},
        {NDK_STATUS_ADDRESS_ALREADY_ASSOCIATED, "STATUS_ADDRESS_ALREADY_ASSOCIATED"},
        {NDK_STATUS_CONNECTION_INVALID, "STATUS_CONNECTION_INVALID"},
        {NDK_STATUS_CONNECTION_ACTIVE, "STATUS_CONNECTION_ACTIVE"},
        {NDK_STATUS_NETWORK_UNREACHABLE, "STATUS_NETWORK_UNREACHABLE"},
        {NDK_STATUS_HOST_UNREACHABLE, "STATUS_HOST_UNREACHABLE"},
        {NDK_STATUS_CONNECTION_ABORTED, "STATUS_CONNECTION_ABORTED"},
        {NDK_STATUS_DEVICE_REMOVED, "STATUS_DEVICE_REMOVED"},
    };
    for (const Known& k : known) {
        if (k.code == status) {
            return format("0x%08X %s", static_cast<uint32_t>(status), k.name);
        }
    }
    return format("0x%08X", static_cast<uint32_t>(status));
}

}  // namespace ndkagent
