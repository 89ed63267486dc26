// Loading a provider library and checking the table it returns (ndk_provider.h, ABI 1.0).
#pragma once

#include <string>

#include "ndk_provider.h"

namespace ndkagent {

struct LoadedProvider {
    ndk_provider table{};   // the provider's table, copied; entries past its size stay NULL
    std::string path;       // as given
    std::string file;       // its file name
    std::string sha256;     // of the file's contents
    uint32_t table_size = 0;
};

// Loads PATH and checks its table. Returns "" and fills 'out', or one line saying what is wrong
// (no such library, no entry point, no ABI 1 table, a wrong version or size, a NULL mandatory entry).
std::string load_provider(const std::string& path, LoadedProvider* out);

// NDK_OBJECT_TYPE as text ("PD"), or nullptr for a number that is none.
const char* object_type_name(int type);

}  // namespace ndkagent
