// The agent's log: one line per event on standard error, "HH:MM:SS.mmm ndk-agent-native: ...".
#pragma once

#include <string>

namespace ndkagent {

void set_debug(bool on);
bool debug_enabled();
void log_info(const std::string& message);
inline void log_debug(const std::string& message) {
    if (debug_enabled()) {
        log_info(message);
    }
}
// printf-style formatting into a std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// "0xC0000236 STATUS_CONNECTION_REFUSED" (the name when the header knows it).
std::string status_text(int32_t status);

}  // namespace ndkagent
