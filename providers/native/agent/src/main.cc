// ndk-agent-native: serves an NDK provider library (providers/native/include/ndk_provider.h) to the
// conformance kit over ndk.wire.v1, as the Java ndk-agent serves a Java provider.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

#include "crash.h"
#include "worker.h"

namespace {

const char kUsage[] =
    "usage: ndk-agent-native --provider-lib PATH [--listen ADDR:PORT] [-s KEY=VALUE]... [--debug]\n"
    "                        [--no-supervisor]\n"
    "Serves an NDK provider library to the conformance kit over ndk.wire.v1.\n"
    "The kit connects with: ndk run --provider remote -s local=HOST:PORT [-s peer=HOST:PORT]\n"
    "\n"
    "  --provider-lib PATH   the provider: a shared library exporting ndk_provider_entry (ndk_provider.h)\n"
    "  --listen ADDR:PORT    where to serve (default 127.0.0.1:7400; port 0: any free port, printed as\n"
    "                        'ndk-agent listening on ADDR:PORT' on standard output)\n"
    "  -s, --setting KEY=VALUE  a provider setting every session starts with; the kit's own override it\n"
    "  --debug               one log line per call and per callback\n"
    "  --no-supervisor       serve in this process: a provider that crashes ends the agent (for a\n"
    "                        debugger); by default a worker process serves and a new one replaces it\n"
    "  -h, --help            this text;  -V, --version: the version\n"
    "Exit codes: 0 stopped (SIGTERM), 2 usage error, a provider library refused (wrong ABI version or\n"
    "table size, NULL entries) or an address that cannot be bound, 1 a worker that cannot be restarted.\n";

int usage_error(const std::string& message) {
    fprintf(stderr, "ndk-agent-native: %s (see --help)\n", message.c_str());
    return 2;
}

bool parse_listen(const std::string& v, ndkagent::Options* o, std::string* why) {
    size_t colon = v.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        *why = "expected HOST:PORT";
        return false;
    }
    std::string host = v.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    std::string port = v.substr(colon + 1);
    char* end = nullptr;
    long p = strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0') {
        *why = "the port is not a number";
        return false;
    }
    if (p < 0 || p > 65535) {
        *why = "port out of range";
        return false;
    }
    o->host = host;
    o->port = static_cast<int>(p);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    ndkagent::Options o;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&](std::string* out) {
            if (i + 1 >= argc) {
                return false;
            }
            *out = argv[++i];
            return true;
        };
        std::string v;
        if (a == "-h" || a == "--help") {
            fputs(kUsage, stdout);
            return 0;
        } else if (a == "-V" || a == "--version") {
            printf("ndk-agent-native %s\n", NDK_AGENT_VERSION);
            return 0;
        } else if (a == "--provider-lib") {
            if (!value(&o.provider_lib)) {
                return usage_error("--provider-lib needs a PATH");
            }
        } else if (a == "--listen") {
            std::string why;
            if (!value(&v)) {
                return usage_error("--listen needs ADDR:PORT");
            }
            if (!parse_listen(v, &o, &why)) {
                return usage_error("--listen " + v + ": " + why);
            }
        } else if (a == "-s" || a == "--setting") {
            size_t eq;
            if (!value(&v) || (eq = v.find('=')) == std::string::npos || eq == 0) {
                return usage_error(a + " needs KEY=VALUE");
            }
            o.settings[v.substr(0, eq)] = v.substr(eq + 1);
        } else if (a == "--debug") {
            o.debug = true;
        } else if (a == "--no-supervisor") {
            o.supervise = false;
        } else {
            return usage_error("unknown option " + a);
        }
    }
    if (o.provider_lib.empty()) {
        return usage_error("--provider-lib PATH is required");
    }
    int rc;
    if (o.supervise) {
        rc = ndkagent::supervise(o);
    } else {
        ndkagent::map_shared(false);
        rc = ndkagent::serve(o, -1, false);
    }
    fflush(nullptr);
    // Threads a stuck provider holds (a close that never returned) must not keep the agent alive.
    _exit(rc);
}
