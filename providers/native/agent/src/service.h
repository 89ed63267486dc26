// ndk.wire.v1 served for one provider library: the handshake, one testbed session at a time, its
// calls and its callback stream (AgentService of the Java agent). A new session is refused while
// one is open, unless the open one's client is gone (its callback stream broke, or it never opened
// one within 10 s).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "session.h"

namespace ndkagent {

class AgentService final : public wire::NdkAgent::WithCallbackMethod_Callbacks<wire::NdkAgent::Service> {
public:
    // 'supervised': a supervisor restarts this worker when the provider crashes it (HelloReply.supervised).
    AgentService(const LoadedProvider& provider, std::map<std::string, std::string> defaults,
                 wire::AgentIdentity identity, bool supervised);

    grpc::Status Hello(grpc::ServerContext* ctx, const wire::HelloRequest* req, wire::HelloReply* reply) override;
    grpc::Status Invoke(grpc::ServerContext* ctx, const wire::Call* call, wire::CallReply* reply) override;
    grpc::Status Goodbye(grpc::ServerContext* ctx, const wire::GoodbyeRequest* req, wire::GoodbyeReply* reply) override;
    // How a session ended (v1.3), from the shared page: this worker's open session is RUNNING; one
    // it or an earlier worker closed is CLOSED; one an earlier worker died with is CRASHED, with the
    // supervisor's words, call and operation.
    grpc::Status SessionEnd(grpc::ServerContext* ctx, const wire::SessionEndRequest* req,
                            wire::SessionEndReply* reply) override;
    grpc::ServerBidiReactor<wire::CallbackReturn, wire::Callback>* Callbacks(grpc::CallbackServerContext* ctx) override;

    // Ends the open session (the agent is stopping); bounded.
    void shutdown();
    // Waits until no Hello, Invoke or Goodbye runs and every Callbacks stream is done, at most 'bound'.
    void await_idle(std::chrono::milliseconds bound);

    // The open session with this id (NOT_FOUND otherwise).
    std::shared_ptr<Session> session(uint64_t id);
    grpc::Status find(uint64_t id, std::shared_ptr<Session>* out);  // the same, as a status
    // The client went away: close its testbed in the background so the next client can open one.
    void end_lost(const std::shared_ptr<Session>& s);

private:
    void open(grpc::ServerContext* ctx, const wire::HelloRequest& req, wire::HelloReply* reply);
    void open_reserved(grpc::ServerContext* ctx, const wire::HelloRequest& req, wire::HelloReply* reply);
    void facts(Session& s, wire::TestbedFacts* out);
    // Closes the testbed (bounded); 'why' is how the session ended, for SessionEnd.
    void close_bounded(const std::shared_ptr<Session>& s, const std::string& why);
    // The session is no longer this worker's open one: CLOSED ('why') for SessionEnd.
    static void leave(const Session& s, const std::string& why);

    const LoadedProvider& provider_;
    const ndk_provider& p_;
    const std::map<std::string, std::string> defaults_;
    const wire::AgentIdentity identity_;
    const bool supervised_;
    std::mutex mu_;
    std::shared_ptr<Session> session_;
    bool opening_ = false;  // a Hello is opening a testbed: the one session slot is taken until it has finished
    int running_ = 0;       // Hello, Invoke and Goodbye calls, and Callbacks streams, in progress (mu_)
    std::condition_variable idle_;
    friend class Running;
};

}  // namespace ndkagent
