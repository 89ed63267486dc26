#include "worker.h"

#include <grpcpp/grpcpp.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "crash.h"
#include "log.h"
#include "provider_table.h"
#include "service.h"

namespace ndkagent {

std::string grpc_address(const std::string& host, int port) {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {

wire::AgentIdentity agent_identity() {
    wire::AgentIdentity id;
    id.set_name("ndk-agent-native");
    id.set_version(NDK_AGENT_VERSION);
    std::string v = grpc::Version();
    size_t second_dot = v.find('.', v.find('.') + 1);
    id.set_runtime("c++ grpc " + v.substr(0, second_dot));
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    id.set_host(host);
    return id;
}

}  // namespace

int serve(const Options& o, int ready_fd, bool again) {
    // SIGTERM and SIGINT go to one thread that stops the agent; a write to a closed socket is an error.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    signal(SIGPIPE, SIG_IGN);
    install_crash_handlers();
    set_debug(o.debug);

    LoadedProvider provider;
    std::string refused = load_provider(o.provider_lib, &provider);
    if (!refused.empty()) {
        fprintf(stderr, "ndk-agent-native: %s\n", refused.c_str());
        return 2;
    }
    AgentService service(provider, o.settings, agent_identity(), ready_fd >= 0);
    std::string address = grpc_address(o.host, o.port);
    std::unique_ptr<grpc::Server> server;
    int port = 0;
    // A restarted worker binds its predecessor's port: the kernel frees it as the old worker dies.
    for (int attempt = 0; attempt < (again ? 50 : 1) && server == nullptr; attempt++) {
        if (attempt > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        grpc::ServerBuilder b;
        b.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
        b.RegisterService(&service);
        // a hostile peer cannot make the agent buffer without bound
        b.SetMaxReceiveMessageSize(4 << 20);
        server = b.BuildAndStart();
    }
    if (server == nullptr || port == 0) {
        fprintf(stderr, "ndk-agent-native: cannot serve on %s (the address cannot be bound)\n", address.c_str());
        return 2;
    }
    shared()->port = port;
    log_info(format("serving %s %s (%s, ABI %u.%u) on %s", provider.table.name, provider.table.version,
                    provider.file.c_str(), provider.table.abi_major, provider.table.abi_minor,
                    grpc_address(o.host, port).c_str()));
    if (ready_fd >= 0) {
        char one = 1;
        if (write(ready_fd, &one, 1) != 1) {
            return 2;
        }
        close(ready_fd);
    } else {
        // The port on a line of its own, for scripts that asked for port 0.
        printf("ndk-agent listening on %s:%d\n", o.host.c_str(), port);
        fflush(stdout);
    }
    std::thread stopper([&] {
        int sig = 0;
        sigwait(&stop, &sig);
        log_info(format("stopping (signal %d): closing the session, then the server", sig));
        service.shutdown();
        // Calls still running get 5 s (as the Java agent's); an idle client connection does not
        // hold the stop up.
        service.await_idle(std::chrono::seconds(5));
        server->Shutdown(std::chrono::system_clock::now());
    });
    server->Wait();
    stopper.join();
    log_info("stopped");
    // Nothing left to tear down that the process's end does not: a provider thread stuck in a close
    // that never returned must not hold the exit up.
    fflush(nullptr);
    _exit(0);
}

}  // namespace ndkagent
