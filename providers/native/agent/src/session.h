// One open testbed and everything the client and the provider exchanged in it: handles, the
// client's contexts and callbacks, and the callback stream (AgentSession of the Java agent).
//
// Each provider callback becomes one Callback message, numbered in the order the agent observed
// it, marked with the call it ran inside (if it ran on a call's thread before that call returned),
// and held: the provider's callback returns only when the client's handler returned, so a
// consumer's handler runs "inside" the provider's callback as it would in-process. Calls the
// handler makes run on the held thread (Mailbox).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "errors.h"
#include "ndk/wire/v1/ndk_wire.grpc.pb.h"
#include "ndk_provider.h"
#include "provider_table.h"

namespace ndkagent {

namespace wire = ::ndk::wire::v1;

// The session's end of its Callbacks stream (the reactor in service.cc). Neither call blocks.
class CallbackStream {
public:
    virtual ~CallbackStream() = default;
    virtual bool send(const wire::Callback& cb) = 0;  // false: the stream is ending
    virtual void end(const grpc::Status& status) = 0;  // once the callbacks queued before it are written
};

// What a handle stands for. The Java agent's handle kinds, by the SPI type names its errors use.
enum class Kind { Adapter, Qp, Cq, Pd, SharedEndpoint, Connector, Listener, Exhaustion, Lifted };
const char* kind_name(Kind k);  // "NdkPd", "ResourceExhaustion", ...

// Where a provider thread waits while the client's handler for one of its callbacks runs. Calls
// the handler makes are delivered here and run on this very thread, as they would in-process; the
// wait ends when the client reports the handler returned, when the session ends, or on timeout.
class Mailbox {
public:
    bool offer(std::function<void()> work);  // false when it no longer waits
    void release();
    bool await(std::chrono::nanoseconds timeout);  // true: released; false: timed out

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> work_;
    bool released_ = false;
    bool done_ = false;
};

// The handles of one session: one number per provider object, unique for the agent's lifetime
// (the shared counter outlives a worker), the same number for the same live object. Under the C
// ABI an object may be freed once its close completed, so a closed handle is never passed to the
// provider again, and a new object at a closed one's address gets a new handle.
class Handles {
public:
    struct Rec {
        Kind kind;
        void* ptr;
        bool closing = false;  // its close returned STATUS_PENDING
        bool closed = false;   // its close completed (or, for a held condition, it was released)
    };
    explicit Handles(uint64_t session) : session_(session) {}

    // The handle of a provider object, issued on first sight (0 for NULL).
    uint64_t handle(void* p, Kind k);
    // A handle of its own for each exhaustion or lifted condition.
    uint64_t fresh(void* p, Kind k);
    // The record behind a handle, checked against what the call needs ('expected' is the SPI name the
    // error names; 'ok' says which kinds qualify).
    Rec get(uint64_t h, const char* what, const char* expected, const std::function<bool(Kind)>& ok);
    void mark_closing(uint64_t h);
    void mark_closed(uint64_t h);
    size_t size();

private:
    uint64_t session_;
    std::mutex mu_;
    std::unordered_map<void*, uint64_t> ids_;
    std::unordered_map<uint64_t, Rec> recs_;
};

// What the agent gave the provider as a context: which client callback and context it stands for.
enum class CbKind { Request, Create, Close, ConnectEvent, DisconnectEvent };
const char* cb_kind_name(CbKind k);  // "RequestCompletion", ...

class Session;

struct ContextInfo {
    std::weak_ptr<Session> session;
    CbKind kind;
    uint64_t callback;   // the client's callback id (0: none)
    uint64_t context;    // the client's context id (0: NULL)
    uint64_t handle;     // for a close: the object being closed
    int expected_type;   // for a create: the NDK_OBJECT_TYPE it creates
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(uint64_t id, std::string client, ndk_testbed* testbed, const LoadedProvider& provider,
            std::chrono::milliseconds callback_timeout);
    ~Session();

    const uint64_t id;
    const std::string client;
    ndk_testbed* const testbed;
    const LoadedProvider& provider;
    const ndk_provider& p;
    Handles handles;

    // ------------------------------------------------------------------ the stream
    // Attaches the client's callback stream; callbacks made before it are sent first.
    void attach(CallbackStream* stream);
    // The stream's reactor is done: nothing may be written to it any more.
    void detach(CallbackStream* stream);
    bool abandoned(std::chrono::milliseconds grace);
    bool is_lost() const { return lost_; }
    // The client is gone: every held callback returns, later ones return at once.
    void lose(const std::string& why);
    // Ends the callback stream (after the testbed's close).
    void complete_stream();
    // Ends the callback stream once: OK, or with 'error'.
    void end_stream(const grpc::Status& status);
    // The client's handler for callback 'seq' returned.
    void returned(uint64_t seq);

    // ------------------------------------------------------------------ calls
    // Runs a call (on the thread held in the callback it was made from, if any) and fills the reply.
    grpc::Status invoke(const wire::Call& call, wire::CallReply* reply);

    // ------------------------------------------------------------------ for Invocations
    // The context pointer to give the provider for one callback id and context id (NULL for both 0).
    void* context(CbKind kind, uint64_t callback, const wire::ContextArg& ctx, uint64_t handle = 0,
                  int expected_type = 0);
    // Checks that a callback id keeps its kind (INVALID_ARGUMENT otherwise); false for id 0.
    bool callback(uint64_t id, CbKind kind);
    // A reference to an object the provider handed out; 'expected' 0: any type.
    wire::ObjectRef ref(ndk_object* o, const char* fn, int expected, bool in_reply);
    // Delivers one provider callback (context lookup done by the caller).
    void deliver(CbKind fn_kind, const ContextInfo* info, const void* raw_context, ndk_status status,
                 ndk_object* object);

    uint64_t last_seq() const { return seq_.load(); }

    // A context the provider passed back: the ids the agent gave, or nothing (foreign).
    static bool lookup_context(const void* ctx, ContextInfo* out);

private:
    void fire(const std::function<void(wire::Callback&)>& fill);
    void execute(const wire::Call& call, wire::CallReply* reply, grpc::Status* status);

    const std::chrono::nanoseconds callback_timeout_;
    const std::chrono::steady_clock::time_point opened_ = std::chrono::steady_clock::now();

    std::mutex stream_mu_;
    CallbackStream* sink_ = nullptr;
    bool stream_ended_ = false;
    std::vector<wire::Callback> early_;
    std::atomic<bool> lost_{false};
    std::atomic<bool> ended_{false};
    std::atomic<uint64_t> seq_{0};

    std::mutex held_mu_;
    std::map<uint64_t, std::shared_ptr<Mailbox>> held_;

    std::mutex cb_mu_;
    std::unordered_map<uint64_t, CbKind> callback_kinds_;
    std::vector<const void*> contexts_;  // registered in the process-wide map; removed with the session
};

// Monotonic nanoseconds (the agent's clock in CallReply and Callback).
int64_t monotonic_nanos();

// The C callbacks the agent gives the provider.
extern "C" {
void ndk_agent_request_completion(void* context, ndk_status status);
void ndk_agent_create_completion(void* context, ndk_status status, ndk_object* object);
void ndk_agent_close_completion(void* context);
void ndk_agent_connect_event(void* context, ndk_object* connector);
void ndk_agent_disconnect_event(void* context);
}

// The session a context the agent never gave belongs to (the open one), set by the service.
void set_current_session(const std::shared_ptr<Session>& s);
void forget_current_session(const std::shared_ptr<Session>& s);  // when it is still the current one

// The call being run on this thread (for Callback.in_call), innermost last.
std::vector<uint64_t>& running_calls();

}  // namespace ndkagent
