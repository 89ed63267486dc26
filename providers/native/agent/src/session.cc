#include "session.h"

#include <algorithm>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <ctime>
#include <future>

#include "crash.h"
#include "invocations.h"
#include "log.h"

namespace ndkagent {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::Adapter: return "NdkAdapter";
        case Kind::Qp: return "NdkQp";
        case Kind::Cq: return "NdkCq";
        case Kind::Pd: return "NdkPd";
        case Kind::SharedEndpoint: return "NdkSharedEndpoint";
        case Kind::Connector: return "NdkConnector";
        case Kind::Listener: return "NdkListener";
        case Kind::Exhaustion: return "ResourceExhaustion";
        case Kind::Lifted: return "LiftedCondition";
    }
    return "?";
}

const char* cb_kind_name(CbKind k) {
    switch (k) {
        case CbKind::Request: return "RequestCompletion";
        case CbKind::Create: return "CreateCompletion";
        case CbKind::Close: return "CloseCompletion";
        case CbKind::ConnectEvent: return "ConnectEventCallback";
        case CbKind::DisconnectEvent: return "DisconnectEventCallback";
    }
    return "?";
}

int64_t monotonic_nanos() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::vector<uint64_t>& running_calls() {
    static thread_local std::vector<uint64_t> calls;
    return calls;
}

namespace {

std::string thread_text() {
    char name[32] = "";
    pthread_getname_np(pthread_self(), name, sizeof name);
    return format("%s/%d", name, static_cast<int>(gettid()));
}

// Ids print as the Java agent prints them (a Java long): 2^64-1 is -1.
long long signed_id(uint64_t v) { return static_cast<long long>(v); }

// ------------------------------------------------------------------ contexts given to the provider

// The contexts the agent gave the provider, process-wide. Each is an address in a reserved,
// inaccessible region: unique, never reused, and never dereferenced (by the agent or, rightly, by
// a provider: a context is the consumer's).
std::mutex registry_mu;
std::unordered_map<const void*, ContextInfo> registry;
char* region = nullptr;
size_t region_used = 0;
constexpr size_t kRegion = size_t(64) << 20;
constexpr size_t kStep = 16;

const void* new_context_address() {
    if (region == nullptr || region_used + kStep > kRegion) {
        void* p = mmap(nullptr, kRegion, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            throw ProviderFault{"agent-out-of-memory", "the agent could not reserve addresses for contexts"};
        }
        region = static_cast<char*>(p);
        region_used = 0;
    }
    const void* a = region + region_used;
    region_used += kStep;
    return a;
}

std::mutex current_mu;
std::weak_ptr<Session> current;

// Handles issued by this process's sessions, with their session (for "belongs to session S").
std::mutex owners_mu;
std::unordered_map<uint64_t, uint64_t> owners;

}  // namespace

void set_current_session(const std::shared_ptr<Session>& s) {
    std::lock_guard<std::mutex> l(current_mu);
    current = s;
}

void forget_current_session(const std::shared_ptr<Session>& s) {
    std::lock_guard<std::mutex> l(current_mu);
    if (current.lock() == s) {
        current.reset();
    }
}

// ------------------------------------------------------------------ Mailbox

bool Mailbox::offer(std::function<void()> work) {
    std::lock_guard<std::mutex> l(mu_);
    if (done_) {
        return false;
    }
    work_.push_back(std::move(work));
    cv_.notify_all();
    return true;
}

void Mailbox::release() {
    std::lock_guard<std::mutex> l(mu_);
    released_ = true;
    cv_.notify_all();
}

bool Mailbox::await(nanoseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock<std::mutex> l(mu_);
    while (true) {
        if (work_.empty()) {
            if (done_) {
                break;
            }
            if (released_ || !cv_.wait_until(l, deadline, [&] { return released_ || !work_.empty(); })) {
                // Released or timed out: no more offers; a nested call that slipped in before still
                // runs, so no reply is lost.
                done_ = true;
            }
            continue;
        }
        auto w = std::move(work_.front());
        work_.pop_front();
        l.unlock();
        w();
        l.lock();
    }
    return released_;
}

// ------------------------------------------------------------------ Handles

uint64_t Handles::handle(void* p, Kind k) {
    if (p == nullptr) {
        return 0;
    }
    std::lock_guard<std::mutex> l(mu_);
    auto it = ids_.find(p);
    if (it != ids_.end()) {
        Rec& r = recs_.at(it->second);
        if (!r.closed && !r.closing) {
            return it->second;
        }
        // A closed object's memory may hold a new object now: that is another object.
        ids_.erase(it);
    }
    uint64_t h = ++shared()->next_handle;
    ids_[p] = h;
    recs_.emplace(h, Rec{k, p});
    std::lock_guard<std::mutex> o(owners_mu);
    owners[h] = session_;
    return h;
}

uint64_t Handles::fresh(void* p, Kind k) {
    std::lock_guard<std::mutex> l(mu_);
    uint64_t h = ++shared()->next_handle;
    recs_.emplace(h, Rec{k, p});
    std::lock_guard<std::mutex> o(owners_mu);
    owners[h] = session_;
    return h;
}

Handles::Rec Handles::get(uint64_t h, const char* what, const char* expected, const std::function<bool(Kind)>& ok) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = recs_.find(h);
    if (it == recs_.end()) {
        std::lock_guard<std::mutex> o(owners_mu);
        auto owner = owners.find(h);
        if (owner != owners.end()) {
            throw WireError::invalid(format("%s: handle %lld belongs to session %lld, not session %lld", what,
                                            signed_id(h), signed_id(owner->second), signed_id(session_)));
        }
        throw WireError::invalid(format("%s: unknown handle %lld", what, signed_id(h)));
    }
    const Rec& r = it->second;
    if (!ok(r.kind)) {
        throw WireError::invalid(format("%s: handle %lld is a %s, not a %s", what, signed_id(h), kind_name(r.kind),
                                        expected));
    }
    if (r.closed) {
        if (r.kind == Kind::Exhaustion || r.kind == Kind::Lifted) {
            throw WireError::invalid(format("%s: handle %lld (a %s) was released already; under the C ABI "
                                            "(ndk_provider.h) the provider may have freed it, so the agent does "
                                            "not pass it on again", what, signed_id(h), kind_name(r.kind)));
        }
        throw WireError::invalid(format("%s: handle %lld (a %s) was closed: its close completed, and under the C "
                                        "ABI (ndk_provider.h) the provider may have freed it, so the agent does "
                                        "not pass it on", what, signed_id(h), kind_name(r.kind)));
    }
    return r;
}

void Handles::mark_closing(uint64_t h) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = recs_.find(h);
    if (it != recs_.end()) {
        it->second.closing = true;
    }
}

void Handles::mark_closed(uint64_t h) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = recs_.find(h);
    if (it != recs_.end()) {
        it->second.closed = true;
        auto id = ids_.find(it->second.ptr);
        if (id != ids_.end() && id->second == h) {
            ids_.erase(id);
        }
    }
}

size_t Handles::size() {
    std::lock_guard<std::mutex> l(mu_);
    return recs_.size();
}

// ------------------------------------------------------------------ Session

Session::Session(uint64_t id_, std::string client_, ndk_testbed* testbed_, const LoadedProvider& provider_,
                 milliseconds callback_timeout)
    : id(id_),
      client(std::move(client_)),
      testbed(testbed_),
      provider(provider_),
      p(provider_.table),
      handles(id_),
      callback_timeout_(callback_timeout) {}

Session::~Session() {
    // Only once the testbed's close returned (its close thread holds the session until then): no
    // callback of the provider's may come with these contexts any more.
    std::lock_guard<std::mutex> l(registry_mu);
    for (const void* c : contexts_) {
        registry.erase(c);
    }
}

void Session::attach(CallbackStream* stream) {
    std::lock_guard<std::mutex> l(stream_mu_);
    if (sink_ != nullptr) {
        throw WireError::precondition(format("session %lld already has its callback stream", signed_id(id)));
    }
    if (ended_) {
        throw WireError::not_found(format("session %lld has ended", signed_id(id)));
    }
    sink_ = stream;
    for (const wire::Callback& cb : early_) {
        stream->send(cb);
    }
    early_.clear();
}

void Session::detach(CallbackStream* stream) {
    std::lock_guard<std::mutex> l(stream_mu_);
    if (sink_ == stream) {
        sink_ = nullptr;
        stream_ended_ = true;
    }
}

bool Session::abandoned(milliseconds grace) {
    std::lock_guard<std::mutex> l(stream_mu_);
    return lost_ || ended_ ||
           (sink_ == nullptr && !stream_ended_ && std::chrono::steady_clock::now() - opened_ > grace);
}

void Session::lose(const std::string& why) {
    if (lost_ || ended_) {
        return;
    }
    lost_ = true;
    log_info(format("session %lld (%s): %s", signed_id(id), client.c_str(), why.c_str()));
    std::lock_guard<std::mutex> l(held_mu_);
    for (auto& h : held_) {
        h.second->release();
    }
}

void Session::complete_stream() {
    ended_ = true;
    end_stream(grpc::Status::OK);
    std::lock_guard<std::mutex> l(held_mu_);
    for (auto& h : held_) {
        h.second->release();
    }
}

void Session::end_stream(const grpc::Status& status) {
    std::lock_guard<std::mutex> l(stream_mu_);
    if (sink_ == nullptr || stream_ended_) {
        return;
    }
    stream_ended_ = true;
    sink_->end(status);
}

void Session::returned(uint64_t s) {
    uint64_t last = seq_.load();
    if (s == 0 || s > last) {
        throw WireError::invalid(format("session %lld has sent no callback %lld (last sent: %lld)", signed_id(id),
                                        signed_id(s), signed_id(last)));
    }
    // Taken out here, not when the held thread wakes: a second return for the same callback must
    // find it no longer waiting.
    std::shared_ptr<Mailbox> box;
    {
        std::lock_guard<std::mutex> l(held_mu_);
        auto it = held_.find(s);
        if (it != held_.end()) {
            box = it->second;
            held_.erase(it);
        }
    }
    if (!box) {
        throw WireError::precondition(format("callback %lld of session %lld is not waiting (it already returned or "
                                             "timed out)", signed_id(s), signed_id(id)));
    }
    box->release();
}

void Session::fire(const std::function<void(wire::Callback&)>& fill) {
    if (lost_) {
        return;
    }
    wire::Callback cb;
    fill(cb);
    auto box = std::make_shared<Mailbox>();
    uint64_t s;
    bool failed = false;
    {
        std::lock_guard<std::mutex> l(stream_mu_);
        s = ++seq_;
        const auto& calls = running_calls();
        cb.set_seq(s);
        cb.set_session(id);
        cb.set_agent_nanos(monotonic_nanos());
        cb.set_in_call(calls.empty() ? 0 : calls.back());
        cb.set_thread(thread_text());
        if (stream_ended_) {
            return;
        }
        {
            std::lock_guard<std::mutex> h(held_mu_);
            held_[s] = box;
            if (lost_ || ended_) {
                box->release();  // the session ended since the check above: lose() did not see this one
            }
        }
        if (sink_ == nullptr) {
            early_.push_back(cb);
        } else if (!sink_->send(cb)) {
            failed = true;
        }
        if (!failed && debug_enabled()) {
            std::string event = cb.GetDescriptor()->FindFieldByNumber(cb.event_case())->name();
            log_debug(format("session %lld callback %lld %s%s on %s", signed_id(id), signed_id(s), event.c_str(),
                             cb.in_call() != 0 ? format(" inside call %lld", signed_id(cb.in_call())).c_str() : "",
                             cb.thread().c_str()));
        }
    }
    if (failed) {
        {
            std::lock_guard<std::mutex> h(held_mu_);
            held_.erase(s);
        }
        lose("the callback stream failed");
        return;
    }
    bool released = box->await(callback_timeout_);
    if (!released && !lost_ && !ended_) {
        log_info(format("session %lld: callback %lld returned without the client's word after %lld ms",
                        signed_id(id), signed_id(s),
                        static_cast<long long>(std::chrono::duration_cast<milliseconds>(callback_timeout_).count())));
    }
    std::lock_guard<std::mutex> h(held_mu_);
    held_.erase(s);
}

grpc::Status Session::invoke(const wire::Call& call, wire::CallReply* reply) {
    if (lost_ || ended_) {
        return WireError::not_found(format("session %lld has ended", signed_id(id))).status();
    }
    grpc::Status status;
    uint64_t within = call.within_callback();
    if (within != 0) {
        std::shared_ptr<Mailbox> box;
        {
            std::lock_guard<std::mutex> l(held_mu_);
            auto it = held_.find(within);
            if (it != held_.end()) {
                box = it->second;
            }
        }
        if (box) {
            std::promise<void> ran;
            if (box->offer([&] {
                    execute(call, reply, &status);
                    ran.set_value();
                })) {
                ran.get_future().wait();
                return status;
            }
        }
    }
    execute(call, reply, &status);
    return status;
}

void Session::execute(const wire::Call& call, wire::CallReply* reply, grpc::Status* status) {
    struct Running {
        explicit Running(uint64_t c) { running_calls().push_back(c); }
        ~Running() { running_calls().pop_back(); }
    };
    std::string op = op_name(call);
    int64_t t0 = monotonic_nanos();
    {
        Running running(call.call_id());
        std::string lower = op;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        ProviderScope scope(format("call %lld (%s, in the agent) of session %lld", signed_id(call.call_id()),
                                   op.c_str(), signed_id(id)),
                            id, call.call_id(), lower.c_str());
        try {
            Invocations(*this, call).run(reply);
        } catch (const WireError& e) {
            log_info(format("session %lld call %lld %s refused: %s", signed_id(id), signed_id(call.call_id()),
                            op.c_str(), e.message.c_str()));
            *status = e.status();
            return;
        } catch (const ProviderFault& f) {
            reply->Clear();
            wire::ProviderError* e = reply->mutable_provider_threw();
            e->set_type(f.type);
            e->set_message(f.message);
            e->set_trace(format("call %lld (%s) of session %lld, provider %s %s (%s)", signed_id(call.call_id()),
                                op.c_str(), signed_id(id), p.name, p.version, provider.file.c_str()));
            log_info(format("session %lld call %lld %s: the provider broke the C ABI's contract: %s: %s",
                            signed_id(id), signed_id(call.call_id()), op.c_str(), f.type.c_str(), f.message.c_str()));
        } catch (const std::exception& e) {
            log_info(format("session %lld call %lld %s: the agent failed: %s", signed_id(id),
                            signed_id(call.call_id()), op.c_str(), e.what()));
            *status = grpc::Status(grpc::StatusCode::INTERNAL, std::string("the agent failed: ") + e.what());
            return;
        }
    }
    int64_t t1 = monotonic_nanos();
    reply->set_call_id(call.call_id());
    reply->set_agent_started_nanos(t0);
    reply->set_agent_returned_nanos(t1);
    reply->set_callbacks_before_return(seq_.load());
    if (debug_enabled()) {
        log_debug(format("session %lld call %lld %s -> %s in %lld us", signed_id(id), signed_id(call.call_id()),
                         op.c_str(), summary(*reply).c_str(), static_cast<long long>((t1 - t0) / 1000)));
    }
}

// ------------------------------------------------------------------ contexts and callbacks

void* Session::context(CbKind kind, uint64_t cb, const wire::ContextArg& ctx, uint64_t handle, int expected_type) {
    if (cb == 0 && ctx.id() == 0) {
        return nullptr;
    }
    std::lock_guard<std::mutex> l(registry_mu);
    const void* a = new_context_address();
    registry.emplace(a, ContextInfo{weak_from_this(), kind, cb, ctx.id(), handle, expected_type});
    contexts_.push_back(a);
    return const_cast<void*>(a);
}

bool Session::lookup_context(const void* ctx, ContextInfo* out) {
    std::lock_guard<std::mutex> l(registry_mu);
    auto it = registry.find(ctx);
    if (it == registry.end()) {
        return false;
    }
    *out = it->second;
    return true;
}

bool Session::callback(uint64_t cb, CbKind kind) {
    if (cb == 0) {
        return false;
    }
    std::lock_guard<std::mutex> l(cb_mu_);
    auto it = callback_kinds_.emplace(cb, kind).first;
    if (it->second != kind) {
        throw WireError::invalid(format("callback id %lld was given before as a %s, now as a %s", signed_id(cb),
                                        cb_kind_name(it->second), cb_kind_name(kind)));
    }
    return true;
}

namespace {

Kind kind_of(int type) {
    switch (type) {
        case NDK_OBJECT_ADAPTER: return Kind::Adapter;
        case NDK_OBJECT_QP: return Kind::Qp;
        case NDK_OBJECT_CQ: return Kind::Cq;
        case NDK_OBJECT_PD: return Kind::Pd;
        case NDK_OBJECT_SHARED_ENDPOINT: return Kind::SharedEndpoint;
        case NDK_OBJECT_CONNECTOR: return Kind::Connector;
        default: return Kind::Listener;
    }
}

}  // namespace

wire::ObjectRef Session::ref(ndk_object* o, const char* fn, int expected, bool in_reply) {
    wire::ObjectRef r;
    if (o == nullptr) {
        return r;
    }
    int t = static_cast<int>(p.object_type(o));
    const char* name = object_type_name(t);
    if (name == nullptr) {
        std::string m = format("%s gave an object whose object_type is %d, which is no NDK_OBJECT_TYPE", fn, t);
        if (in_reply) {
            throw ProviderFault{"bad-object-type", m};
        }
        log_info(format("session %lld: %s (the kit gets no object)", signed_id(id), m.c_str()));
        return r;
    }
    if (expected != 0 && t != expected) {
        std::string m = format("%s gave an object of type %s (%d), not %s (%d)", fn, name, t,
                               object_type_name(expected), expected);
        if (in_reply) {
            throw ProviderFault{"wrong-object-type", m};
        }
        log_info(format("session %lld: %s", signed_id(id), m.c_str()));
    }
    r.set_handle(handles.handle(o, kind_of(t)));
    r.set_type(static_cast<wire::ObjectType>(t));
    return r;
}

void Session::deliver(CbKind fn_kind, const ContextInfo* info, const void* raw, ndk_status status, ndk_object* object) {
    wire::ContextEcho echo;
    uint64_t cb = 0;
    if (info == nullptr) {
        echo.set_foreign(true);
        echo.set_foreign_text(format("%p (a context the agent never gave the provider)", raw));
        log_info(format("session %lld: the provider called the agent's %s with a context it was never given (%p)",
                        signed_id(id), cb_kind_name(fn_kind), raw));
    } else {
        echo.set_id(info->context);
        cb = info->callback;
        if (info->kind != fn_kind) {
            log_info(format("session %lld: the provider called the agent's %s with the context of a %s",
                            signed_id(id), cb_kind_name(fn_kind), cb_kind_name(info->kind)));
        }
    }
    uint32_t code = static_cast<uint32_t>(status);
    switch (fn_kind) {
        case CbKind::Request:
            fire([&](wire::Callback& c) {
                auto* e = c.mutable_request_completed();
                e->set_completion(cb);
                *e->mutable_context() = echo;
                e->set_ntstatus(code);
            });
            break;
        case CbKind::Create: {
            wire::ObjectRef r;
            if (status == NDK_STATUS_SUCCESS) {
                r = ref(object, "a create completion", info != nullptr ? info->expected_type : 0, false);
            } else if (object != nullptr) {
                log_info(format("session %lld: a create completion with %s passed an object too (ignored: an "
                                "object comes only with STATUS_SUCCESS)", signed_id(id), status_text(status).c_str()));
            }
            fire([&](wire::Callback& c) {
                auto* e = c.mutable_create_completed();
                e->set_completion(cb);
                *e->mutable_context() = echo;
                e->set_ntstatus(code);
                *e->mutable_object() = r;
            });
            break;
        }
        case CbKind::Close:
            if (info != nullptr && info->kind == CbKind::Close && info->handle != 0) {
                handles.mark_closed(info->handle);
            }
            fire([&](wire::Callback& c) {
                auto* e = c.mutable_close_completed();
                e->set_completion(cb);
                *e->mutable_context() = echo;
            });
            break;
        case CbKind::ConnectEvent: {
            wire::ObjectRef r = ref(object, "a connect event", NDK_OBJECT_CONNECTOR, false);
            fire([&](wire::Callback& c) {
                auto* e = c.mutable_connect_event();
                e->set_callback(cb);
                *e->mutable_context() = echo;
                *e->mutable_connector() = r;
            });
            break;
        }
        case CbKind::DisconnectEvent:
            fire([&](wire::Callback& c) {
                auto* e = c.mutable_disconnect_event();
                e->set_callback(cb);
                *e->mutable_context() = echo;
            });
            break;
    }
}

namespace {

// One provider callback: never throws into the provider's frames.
void dispatch(CbKind kind, void* context, ndk_status status, ndk_object* object) noexcept {
    try {
        ContextInfo info;
        bool known = Session::lookup_context(context, &info);
        std::shared_ptr<Session> s = known ? info.session.lock() : nullptr;
        if (!s) {
            std::lock_guard<std::mutex> l(current_mu);
            s = current.lock();
        }
        if (!s) {
            log_info(format("a %s came with no session open (context %p); dropped", cb_kind_name(kind), context));
            return;
        }
        s->deliver(kind, known ? &info : nullptr, context, status, object);
    } catch (const std::exception& e) {
        log_info(format("delivering a %s failed: %s", cb_kind_name(kind), e.what()));
    } catch (const ProviderFault& f) {
        log_info(format("delivering a %s failed: %s", cb_kind_name(kind), f.message.c_str()));
    } catch (const WireError& w) {
        log_info(format("delivering a %s failed: %s", cb_kind_name(kind), w.message.c_str()));
    }
}

}  // namespace

extern "C" {
void ndk_agent_request_completion(void* context, ndk_status status) {
    dispatch(CbKind::Request, context, status, nullptr);
}
void ndk_agent_create_completion(void* context, ndk_status status, ndk_object* object) {
    dispatch(CbKind::Create, context, status, object);
}
void ndk_agent_close_completion(void* context) { dispatch(CbKind::Close, context, NDK_STATUS_SUCCESS, nullptr); }
void ndk_agent_connect_event(void* context, ndk_object* connector) {
    dispatch(CbKind::ConnectEvent, context, NDK_STATUS_SUCCESS, connector);
}
void ndk_agent_disconnect_event(void* context) {
    dispatch(CbKind::DisconnectEvent, context, NDK_STATUS_SUCCESS, nullptr);
}
}

}  // namespace ndkagent
