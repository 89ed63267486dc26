// The agent's two processes: the supervisor, which starts a worker and starts another when a worker
// dies (a provider that crashed), and the worker, which loads the provider library and serves it.
#pragma once

#include <map>
#include <string>

namespace ndkagent {

struct Options {
    std::string provider_lib;
    std::string host = "127.0.0.1";  // as given, without IPv6 brackets
    int port = 7400;
    std::map<std::string, std::string> settings;
    bool debug = false;
    bool supervise = true;
};

// "host:port" for gRPC ("[v6]:port" for an IPv6 address).
std::string grpc_address(const std::string& host, int port);

// Loads the library and serves it until SIGTERM or SIGINT: 0 stopped, 2 the library's table is
// refused or the address cannot be bound (one line on stderr says which). With 'ready_fd' (a
// supervisor's worker) readiness is one byte on it; without, "ndk-agent listening on ADDR:PORT" on
// stdout. 'again': a restarted worker, which waits a little for its port to be free.
int serve(const Options& o, int ready_fd, bool again);

// Runs workers one after another on the same address: exit 0 after SIGTERM stopped the worker, 2 when
// the first worker cannot start (its table is refused, its address cannot be bound, it crashed while
// loading), 1 when a restarted worker cannot start three times in a row.
int supervise(const Options& o);

}  // namespace ndkagent
