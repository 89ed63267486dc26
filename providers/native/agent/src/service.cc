#include "service.h"

#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <thread>
#include <vector>

#include "crash.h"
#include "invocations.h"
#include "log.h"

namespace ndkagent {

namespace {

constexpr std::chrono::milliseconds kAttachGrace(10000);     // a session without its stream this long is abandoned
constexpr std::chrono::milliseconds kCallbackTimeout(60000);  // the default hold of a provider callback
constexpr std::chrono::milliseconds kCloseBound(30000);      // bound on closing a testbed

long long signed_id(uint64_t v) { return static_cast<long long>(v); }

std::string version_text(const wire::WireVersion& v) { return format("ndk.wire.v%u.%u", v.major(), v.minor()); }

wire::WireVersion our_version() {
    wire::WireVersion v;
    v.set_major(1);
    v.set_minor(3);
    return v;
}

void fact_sink(void* ctx, const char* key, const char* value) {
    if (key != nullptr && value != nullptr) {
        (*static_cast<std::map<std::string, std::string>*>(ctx))[key] = value;
    }
}

void set_error(wire::ProviderError* e, const ProviderFault& f, const std::string& trace) {
    e->set_type(f.type);
    e->set_message(f.message);
    e->set_trace(trace);
}

}  // namespace

// Counts a unary call while it runs, or a Callbacks stream until it is done (the agent's stop waits
// for them, bounded).
class Running {
public:
    explicit Running(AgentService* svc) : svc_(svc) {
        std::lock_guard<std::mutex> l(svc_->mu_);
        svc_->running_++;
    }
    ~Running() {
        std::lock_guard<std::mutex> l(svc_->mu_);
        if (--svc_->running_ == 0) {
            svc_->idle_.notify_all();
        }
    }

private:
    AgentService* svc_;
};

namespace {

// ------------------------------------------------------------------ the Callbacks stream

// The client's first message attaches the stream to its session; each later one lets a held callback
// return. A seq never sent ends the stream (INVALID_ARGUMENT) and with it the session; a late or
// repeated one is logged and ignored. Writes go one at a time, in order; the stream is finished once
// the callbacks queued before its end are written.
class CallbacksReactor final : public grpc::ServerBidiReactor<wire::CallbackReturn, wire::Callback>,
                               public CallbackStream {
public:
    CallbacksReactor(AgentService* svc, grpc::CallbackServerContext* ctx) : svc_(svc), ctx_(ctx), running_(svc) {
        StartRead(&in_);
    }

    bool send(const wire::Callback& cb) override {
        std::unique_lock<std::mutex> l(mu_);
        if (finish_requested_ || broken_) {
            return false;
        }
        queue_.push_back(cb);
        if (writing_) {
            return true;
        }
        writing_ = true;
        const wire::Callback* m = &queue_.front();
        l.unlock();
        StartWrite(m);
        return true;
    }

    void end(const grpc::Status& status) override {
        std::unique_lock<std::mutex> l(mu_);
        if (finish_requested_) {
            return;
        }
        finish_requested_ = true;
        status_ = status;
        if (writing_) {
            return;  // OnWriteDone finishes once the queue is written
        }
        l.unlock();
        Finish(status);
    }

    void OnWriteDone(bool ok) override {
        std::unique_lock<std::mutex> l(mu_);
        queue_.pop_front();
        if (!ok) {
            broken_ = true;
            queue_.clear();
        }
        if (!queue_.empty()) {
            const wire::Callback* m = &queue_.front();
            l.unlock();
            StartWrite(m);
            return;
        }
        writing_ = false;
        if (finish_requested_) {
            grpc::Status st = status_;
            l.unlock();
            Finish(st);
        }
    }

    void OnReadDone(bool ok) override {
        std::shared_ptr<Session> s = attached_;
        if (!ok) {
            bool ending;
            {
                std::lock_guard<std::mutex> l(mu_);
                ending = finish_requested_;
            }
            if (ending) {
                return;  // the agent ended the stream itself
            }
            if (s == nullptr) {
                end(grpc::Status::OK);
                return;
            }
            // The client says no more (half-close), or it is gone (cancelled, connection broken).
            s->lose(ctx_->IsCancelled() ? "the client cancelled the callback stream"
                                        : "the client closed its side of the callback stream");
            s->end_stream(grpc::Status::OK);
            end(grpc::Status::OK);
            svc_->end_lost(s);
            return;
        }
        try {
            if (s == nullptr) {
                if (in_.seq() != 0) {
                    throw WireError::invalid(format("the first message on Callbacks attaches it to a session (seq 0), "
                                                    "not callback %lld", signed_id(in_.seq())));
                }
                std::shared_ptr<Session> found = svc_->session(in_.session());
                found->attach(this);
                attached_ = found;
            } else {
                if (in_.session() != s->id) {
                    throw WireError::invalid(format("this callback stream is session %lld's, not session %lld's",
                                                    signed_id(s->id), signed_id(in_.session())));
                }
                s->returned(in_.seq());
            }
        } catch (const WireError& e) {
            if (e.code == grpc::StatusCode::FAILED_PRECONDITION && s != nullptr) {
                log_info(format("session %lld: %s; ignored", signed_id(s->id), e.message.c_str()));
                read_on();
                return;
            }
            if (s != nullptr) {
                s->lose("its callback stream carried a bad message: " + e.message);
                s->end_stream(e.status());
                svc_->end_lost(s);
            }
            end(e.status());  // (a no-op when the session ended it just now)
            return;
        }
        read_on();
    }

    // The next message, unless the stream is ending.
    void read_on() {
        {
            std::lock_guard<std::mutex> l(mu_);
            if (finish_requested_) {
                return;
            }
        }
        StartRead(&in_);
    }

    void OnDone() override {
        if (attached_ != nullptr) {
            attached_->detach(this);
        }
        delete this;
    }

private:
    AgentService* svc_;
    grpc::CallbackServerContext* ctx_;
    Running running_;  // until OnDone: the agent's stop lets a stream it ended finish
    wire::CallbackReturn in_;
    std::shared_ptr<Session> attached_;  // touched only by the (serialized) read reactions and OnDone

    std::mutex mu_;
    std::deque<wire::Callback> queue_;  // front: the message being written
    bool writing_ = false;
    bool broken_ = false;
    bool finish_requested_ = false;
    grpc::Status status_;
};

}  // namespace

void AgentService::await_idle(std::chrono::milliseconds bound) {
    std::unique_lock<std::mutex> l(mu_);
    idle_.wait_for(l, bound, [&] { return running_ == 0; });
}

AgentService::AgentService(const LoadedProvider& provider, std::map<std::string, std::string> defaults,
                           wire::AgentIdentity identity, bool supervised)
    : provider_(provider),
      p_(provider.table),
      defaults_(std::move(defaults)),
      identity_(std::move(identity)),
      supervised_(supervised) {}

grpc::Status AgentService::Hello(grpc::ServerContext* ctx, const wire::HelloRequest* req, wire::HelloReply* reply) {
    Running running(this);
    if (req->wire_version().major() != 1) {
        return WireError::precondition("wire version mismatch: the client speaks " + version_text(req->wire_version()) +
                                       ", this agent " + version_text(our_version()) +
                                       " (only additions within one major version; anything else is a new major "
                                       "version)").status();
    }
    *reply->mutable_wire_version() = our_version();
    *reply->mutable_agent() = identity_;
    reply->set_supervised(supervised_);
    auto* pi = reply->mutable_provider();
    pi->set_name(p_.name);
    pi->set_version(p_.version);
    pi->set_vendor(p_.vendor != nullptr ? p_.vendor : "");
    pi->set_description(p_.description != nullptr ? p_.description : "");
    if (p_.capabilities & NDK_CAPABILITY_IPV4) {
        reply->add_capabilities(wire::PROVIDER_CAPABILITY_IPV4);
    }
    if (p_.capabilities & NDK_CAPABILITY_IPV6) {
        reply->add_capabilities(wire::PROVIDER_CAPABILITY_IPV6);
    }
    if (p_.capabilities & NDK_CAPABILITY_NDKPI_2_1) {
        reply->add_capabilities(wire::PROVIDER_CAPABILITY_NDKPI_2_1);
    }
    if (req->has_open()) {
        try {
            open(ctx, *req, reply);
        } catch (const WireError& e) {
            return e.status();
        }
    }
    return grpc::Status::OK;
}

void AgentService::open(grpc::ServerContext* ctx, const wire::HelloRequest& req, wire::HelloReply* reply) {
    {
        std::lock_guard<std::mutex> l(mu_);
        if (opening_) {
            throw WireError::precondition("agent busy: another client's testbed is being opened (one testbed session "
                                          "at a time)");
        }
        if (session_ != nullptr && !session_->abandoned(kAttachGrace)) {
            throw WireError::precondition(format("agent busy: session %lld of %s is open (one testbed session at a "
                                                 "time)", signed_id(session_->id), session_->client.c_str()));
        }
        opening_ = true;
    }
    struct Release {
        AgentService* svc;
        ~Release() {
            std::lock_guard<std::mutex> l(svc->mu_);
            svc->opening_ = false;
        }
    } release{this};
    open_reserved(ctx, req, reply);
}

void AgentService::open_reserved(grpc::ServerContext* ctx, const wire::HelloRequest& req, wire::HelloReply* reply) {
    std::shared_ptr<Session> old;
    {
        std::lock_guard<std::mutex> l(mu_);
        old = std::move(session_);
        session_ = nullptr;
    }
    if (old != nullptr) {
        old->lose("superseded by a new session from " + req.client());
        close_bounded(old, "superseded by a new session from " + req.client());
    }
    const wire::OpenTestbed& o = req.open();
    std::map<std::string, std::string> settings = defaults_;
    for (const auto& kv : o.settings()) {
        settings[kv.first] = kv.second;
    }
    std::vector<const char*> keys, values;
    std::string shown;
    for (const auto& kv : settings) {
        keys.push_back(kv.first.c_str());
        values.push_back(kv.second.c_str());
        shown += (shown.empty() ? "" : ", ") + kv.first + "=" + kv.second;
    }
    ndk_testbed_options options{};
    options.size = sizeof options;
    options.connect_timeout_ms = o.connect_timeout_ms();
    options.setting_count = settings.size();
    options.setting_keys = keys.data();
    options.setting_values = values.data();
    char why[1024] = "";
    ndk_testbed* tb = nullptr;
    int result;
    {
        ProviderScope scope("open_testbed (hello from " + req.client() + ")");
        result = p_.open_testbed(&options, &tb, why, sizeof why);
    }
    why[sizeof why - 1] = '\0';
    std::string trace = format("open_testbed of provider %s %s (%s)", p_.name, p_.version, provider_.file.c_str());
    switch (result) {
        case NDK_TESTBED_OPENED:
            if (tb != nullptr) {
                break;
            }
            log_info("opening the testbed for " + req.client() + ": open_testbed returned NDK_TESTBED_OPENED with a "
                     "NULL testbed");
            set_error(reply->mutable_open_threw(),
                      {"null-object", "open_testbed returned NDK_TESTBED_OPENED with a NULL testbed"}, trace);
            return;
        case NDK_TESTBED_NOT_IMPLEMENTED:
            log_info("testbed not implemented (for " + req.client() + "): " + why);
            reply->set_testbed_not_implemented(why);
            return;
        case NDK_TESTBED_UNAVAILABLE:
            log_info("testbed unavailable for " + req.client() + ": " + why);
            reply->set_testbed_unavailable(why);
            return;
        default: {
            ProviderFault f{"bad-result", format("open_testbed returned %d, which is none of NDK_TESTBED_OPENED (0), "
                                                 "NDK_TESTBED_UNAVAILABLE (1), NDK_TESTBED_NOT_IMPLEMENTED (2)%s%s",
                                                 result, why[0] != '\0' ? "; it said: " : "", why)};
            log_info("opening the testbed for " + req.client() + ": " + f.message);
            set_error(reply->mutable_open_threw(), f, trace);
            return;
        }
    }
    uint64_t id = ++shared()->next_session;
    auto timeout = o.callback_timeout_ms() == 0 ? kCallbackTimeout : std::chrono::milliseconds(o.callback_timeout_ms());
    auto s = std::make_shared<Session>(id, req.client(), tb, provider_, timeout);
    try {
        facts(*s, reply->mutable_testbed());
    } catch (const ProviderFault& f) {
        log_info("the testbed's facts failed: " + f.message);
        reply->clear_testbed();
        set_error(reply->mutable_open_threw(), f, format("the facts of session %lld's testbed, provider %s %s (%s)",
                                                          signed_id(id), p_.name, p_.version, provider_.file.c_str()));
        close_bounded(s, "its testbed's facts failed: " + f.message);
        return;
    }
    if (ctx->IsCancelled()) {
        // The client gave up waiting (its deadline): nobody will use or close this testbed.
        log_info(format("session %lld: the client gave up before the testbed opened; closing it", signed_id(id)));
        close_bounded(s, "the client gave up before the testbed opened");
        return;
    }
    {
        std::lock_guard<std::mutex> l(mu_);
        session_ = s;
    }
    session_opened(id);
    set_current_session(s);
    log_info(format("session %lld opened for %s (%s, settings {%s})", signed_id(id), req.client().c_str(), p_.name,
                    shown.c_str()));
}

void AgentService::facts(Session& s, wire::TestbedFacts* out) {
    out->set_session(s.id);
    for (ndk_host h : {NDK_HOST_LOCAL, NDK_HOST_PEER}) {
        const char* name = h == NDK_HOST_LOCAL ? "LOCAL" : "PEER";
        wire::HostFacts* hf = h == NDK_HOST_LOCAL ? out->mutable_local() : out->mutable_peer();
        ProviderScope scope(format("the facts of session %lld's testbed (%s)", signed_id(s.id), name));
        ndk_object* a = p_.testbed_adapter(s.testbed, h);
        if (a == nullptr) {
            throw ProviderFault{"null-object", format("testbed_adapter(%s) returned NULL", name)};
        }
        *hf->mutable_adapter() = s.ref(a, format("testbed_adapter(%s)", name).c_str(), NDK_OBJECT_ADAPTER, true);
        ndk_adapter_info info{};
        info.size = sizeof info;
        ndk_status st = p_.query_adapter_info(a, &info);
        if (st != NDK_STATUS_SUCCESS) {
            throw ProviderFault{"query-failed", format("query_adapter_info on the %s adapter returned %s", name,
                                                       status_text(st).c_str())};
        }
        fill_adapter_info(info, hf->mutable_adapter_info());
        std::vector<std::array<uint8_t, 16>> ips(64);
        std::vector<uint8_t> lens(64);
        auto rows = [&] { return reinterpret_cast<uint8_t(*)[16]>(ips.data()); };
        size_t n = p_.testbed_addresses(s.testbed, h, rows(), lens.data(), ips.size());
        if (n > ips.size()) {
            size_t cap = std::min<size_t>(n, 4096);
            ips.assign(cap, {});
            lens.assign(cap, 0);
            n = std::min(cap, p_.testbed_addresses(s.testbed, h, rows(), lens.data(), cap));
        }
        for (size_t i = 0; i < n; i++) {
            if (lens[i] != 4 && lens[i] != 16) {
                throw ProviderFault{"bad-address", format("testbed_addresses(%s) gave address %zu as %u bytes, not 4 "
                                                          "or 16", name, i, lens[i])};
            }
            hf->add_addresses(std::string(reinterpret_cast<const char*>(ips[i].data()), lens[i]));
        }
    }
    ProviderScope scope(format("the facts of session %lld's testbed", signed_id(s.id)));
    out->set_connect_timeout_ms(p_.connect_timeout_ms(s.testbed));
    if (p_.four_tuple_release_delay_ms != nullptr) {
        out->set_four_tuple_release_delay_ms(p_.four_tuple_release_delay_ms(s.testbed));
    }
    std::map<std::string, std::string> identity;
    if (p_.identity != nullptr) {
        p_.identity(s.testbed, fact_sink, &identity);
    }
    // The agent's own facts: the file the provider was loaded from, which only this machine can hash.
    identity["agent.provider-file"] = provider_.file;
    identity["agent.provider-sha256"] = provider_.sha256;
    identity["agent.provider-abi"] =
        format("%u.%u (a table of %u bytes)", p_.abi_major, p_.abi_minor, provider_.table_size);
    Shared* sh = shared();
    if (sh->restarts.load() > 0) {
        identity["agent.worker-restarts"] = std::to_string(sh->restarts.load());
        identity["agent.last-crash"] = std::string(sh->last_crash, strnlen(sh->last_crash, sizeof sh->last_crash));
    }
    for (const auto& kv : identity) {
        (*out->mutable_identity())[kv.first] = kv.second;
    }
}

std::shared_ptr<Session> AgentService::session(uint64_t id) {
    std::lock_guard<std::mutex> l(mu_);
    if (session_ == nullptr || session_->id != id) {
        throw WireError::not_found(format("no open session %lld%s", signed_id(id),
                                          session_ == nullptr ? " (none is open)"
                                                              : format(" (session %lld is open)",
                                                                       signed_id(session_->id)).c_str()));
    }
    return session_;
}

grpc::Status AgentService::find(uint64_t id, std::shared_ptr<Session>* out) {
    try {
        *out = session(id);
    } catch (const WireError& e) {
        return e.status();
    }
    return grpc::Status::OK;
}

grpc::Status AgentService::Invoke(grpc::ServerContext*, const wire::Call* call, wire::CallReply* reply) {
    Running running(this);
    std::shared_ptr<Session> s;
    grpc::Status found = find(call->session(), &s);
    return found.ok() ? s->invoke(*call, reply) : found;
}

grpc::ServerBidiReactor<wire::CallbackReturn, wire::Callback>* AgentService::Callbacks(
    grpc::CallbackServerContext* ctx) {
    return new CallbacksReactor(this, ctx);
}

void AgentService::end_lost(const std::shared_ptr<Session>& s) {
    {
        std::lock_guard<std::mutex> l(mu_);
        if (session_ != s) {
            return;
        }
        session_ = nullptr;
        leave(*s, "its client went away");  // already, while its testbed closes
    }
    std::thread([this, s] { close_bounded(s, "its client went away"); }).detach();
}

grpc::Status AgentService::Goodbye(grpc::ServerContext*, const wire::GoodbyeRequest* req, wire::GoodbyeReply*) {
    Running running(this);
    std::shared_ptr<Session> s;
    grpc::Status found = find(req->session(), &s);
    if (!found.ok()) {
        return found;
    }
    {
        std::lock_guard<std::mutex> l(mu_);
        session_ = nullptr;
        leave(*s, "goodbye");
    }
    close_bounded(s, "goodbye");
    return grpc::Status::OK;
}

grpc::Status AgentService::SessionEnd(grpc::ServerContext*, const wire::SessionEndRequest* req,
                                      wire::SessionEndReply* reply) {
    Running running(this);
    SessionEndRecord r = find_session_end(req->session());
    switch (static_cast<EndState>(r.state)) {
        case EndState::Running:
            reply->set_state(wire::SESSION_STATE_RUNNING);
            reply->set_detail("open");
            break;
        case EndState::Closed:
            reply->set_state(wire::SESSION_STATE_CLOSED);
            reply->set_detail(std::string(r.detail, strnlen(r.detail, sizeof r.detail)));
            break;
        case EndState::Crashed:
            reply->set_state(wire::SESSION_STATE_CRASHED);
            reply->set_detail(std::string(r.detail, strnlen(r.detail, sizeof r.detail)));
            reply->set_call_id(r.call_id);
            reply->set_operation(std::string(r.operation, strnlen(r.operation, sizeof r.operation)));
            break;
        default:
            reply->set_state(wire::SESSION_STATE_UNKNOWN);
            reply->set_detail(format("this agent has no record of session %lld (never opened here, or one of more "
                                     "than %zu sessions ago)", signed_id(req->session()),
                                     sizeof shared()->ends / sizeof shared()->ends[0]));
            break;
    }
    log_info(format("session end of %lld asked: %s %s", signed_id(req->session()),
                    wire::SessionState_Name(reply->state()).c_str(), reply->detail().c_str()));
    return grpc::Status::OK;
}

void AgentService::leave(const Session& s, const std::string& why) {
    session_left(s.id);
    record_session_end(s.id, EndState::Closed, 0, "", "closed: " + why);
}

void AgentService::shutdown() {
    std::shared_ptr<Session> s;
    {
        std::lock_guard<std::mutex> l(mu_);
        s = std::move(session_);
        session_ = nullptr;
    }
    if (s != nullptr) {
        // The agent is going away: held callbacks return now, later ones at once, so that the
        // provider's close is not held up by a client that will never answer.
        s->lose("the agent is stopping");
        close_bounded(s, "the agent stopped");
    }
}

void AgentService::close_bounded(const std::shared_ptr<Session>& s, const std::string& why) {
    leave(*s, why);
    struct Done {
        std::mutex mu;
        std::condition_variable cv;
        bool closed = false;
    };
    auto done = std::make_shared<Done>();
    // The thread holds the session until the provider's close returns: its contexts stay known
    // until no callback can come with them.
    std::thread([s, done] {
        {
            ProviderScope scope(format("close_testbed of session %lld", signed_id(s->id)), s->id, 0, "close_testbed");
            s->p.close_testbed(s->testbed);
        }
        std::lock_guard<std::mutex> l(done->mu);
        done->closed = true;
        done->cv.notify_all();
    }).detach();
    {
        std::unique_lock<std::mutex> l(done->mu);
        if (!done->cv.wait_for(l, kCloseBound, [&] { return done->closed; })) {
            log_info(format("session %lld: the testbed's close had not returned after %lld ms; going on",
                            signed_id(s->id), static_cast<long long>(kCloseBound.count())));
        }
    }
    s->complete_stream();
    forget_current_session(s);
    log_info(format("session %lld ended (%zu handles)", signed_id(s->id), s->handles.size()));
}

}  // namespace ndkagent
