#include "invocations.h"

#include <sys/mman.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include "crash.h"
#include "log.h"

namespace ndkagent {

namespace {

long long signed_id(uint64_t v) { return static_cast<long long>(v); }

constexpr size_t kGuard = 64;             // bytes after an output buffer that must stay untouched
constexpr uint8_t kGuardByte = 0xA5;
constexpr size_t kHeapLimit = size_t(1) << 20;  // larger buffers are mapped, lazily, not allocated

// Memory for one buffer: on the heap, or mapped (a declared length of up to 4 GiB costs only the
// pages the provider touches).
class Block {
public:
    explicit Block(size_t size) : size_(size) {
        if (size <= kHeapLimit) {
            heap_.assign(size == 0 ? 1 : size, 0);
            data_ = heap_.data();
        } else {
            void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (p == MAP_FAILED) {
                throw WireError::invalid(format("a buffer of %zu bytes cannot be mapped", size));
            }
            data_ = static_cast<uint8_t*>(p);
            mapped_ = true;
        }
    }
    ~Block() {
        if (mapped_) {
            munmap(data_, size_);
        }
    }
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
    uint8_t* data() { return data_; }
    void read_only() {
        if (mapped_) {
            mprotect(data_, size_, PROT_READ);
        }
    }

private:
    size_t size_;
    std::vector<uint8_t> heap_;
    uint8_t* data_ = nullptr;
    bool mapped_ = false;
};

// An input buffer (an address, private data): NULL when absent, else the consumer's bytes,
// readable up to the declared length (zeros past what the kit sent).
class InBuf {
public:
    InBuf(bool present, const std::string& bytes, uint32_t declared) {
        if (!present) {
            return;
        }
        if (declared <= bytes.size()) {
            ptr_ = reinterpret_cast<const uint8_t*>(bytes.data());
            return;
        }
        block_ = std::make_unique<Block>(declared);
        memcpy(block_->data(), bytes.data(), bytes.size());
        block_->read_only();
        ptr_ = block_->data();
    }
    const uint8_t* data() const { return ptr_; }

private:
    const uint8_t* ptr_ = nullptr;
    std::unique_ptr<Block> block_;
};

// An output buffer: NULL when absent, else the consumer's bytes, writable up to the length its cell
// declares, followed by a guard the provider must leave alone. Only the consumer's bytes go back.
class OutBuf {
public:
    OutBuf(bool present, const std::string& bytes, uint32_t declared) : present_(present), n_(bytes.size()) {
        if (!present) {
            return;
        }
        writable_ = std::max<size_t>(n_, declared);
        block_ = std::make_unique<Block>(writable_ + kGuard);
        memcpy(block_->data(), bytes.data(), n_);
        memset(block_->data() + writable_, kGuardByte, kGuard);
    }
    uint8_t* data() { return present_ ? block_->data() : nullptr; }
    bool overran() const {
        if (!present_) {
            return false;
        }
        const uint8_t* g = block_->data() + writable_;
        return std::any_of(g, g + kGuard, [](uint8_t b) { return b != kGuardByte; });
    }
    size_t writable() const { return writable_; }
    std::string contents() const { return std::string(reinterpret_cast<const char*>(block_->data()), n_); }

private:
    bool present_;
    size_t n_;
    size_t writable_ = 0;
    std::unique_ptr<Block> block_;
};

// A ULONG * cell: NULL when absent.
struct Cell {
    Cell(bool is_present, uint32_t in) : present(is_present), value(in) {}
    uint32_t* ptr() { return present ? &value : nullptr; }
    bool present;
    uint32_t value;
};

// What the provider gets for an object the consumer passed that the agent never handed out: memory
// the provider has never seen, of one block per expected type, as another provider's object would be.
ndk_object* foreign(Kind k) {
    alignas(64) static unsigned char blocks[10][256];
    return reinterpret_cast<ndk_object*>(blocks[static_cast<int>(k)]);
}

const char* condition_name(int c) {
    switch (c) {
        case NDK_LAB_NO_LISTENER: return "NO_LISTENER";
        case NDK_LAB_NETWORK_UNREACHABLE: return "NETWORK_UNREACHABLE";
        case NDK_LAB_HOST_UNREACHABLE: return "HOST_UNREACHABLE";
        case NDK_LAB_SILENT_HOST: return "SILENT_HOST";
        case NDK_LAB_FOREIGN_LOCAL_ADDRESS: return "FOREIGN_LOCAL_ADDRESS";
        default: return nullptr;
    }
}

ndk_lab_condition condition(wire::LabCondition c) {
    if (condition_name(c) == nullptr) {
        const std::string& n = wire::LabCondition_Name(c);
        throw WireError::invalid("unknown lab condition " + (n.empty() ? std::string("UNRECOGNIZED") : n));
    }
    return static_cast<ndk_lab_condition>(c);
}

ndk_host host(wire::Host h) {
    if (h != wire::HOST_LOCAL && h != wire::HOST_PEER) {
        const std::string& n = wire::Host_Name(h);
        throw WireError::invalid("host must be HOST_LOCAL or HOST_PEER, not " +
                                 (n.empty() ? std::string("UNRECOGNIZED") : n));
    }
    return static_cast<ndk_host>(h);
}

std::string text(const char* s, size_t size) { return std::string(s, strnlen(s, size)); }

void unavailable(wire::Unavailable* out, ndk_unavailable why) {
    out->set_reason_code(text(why.code, sizeof why.code));
    out->set_detail(text(why.detail, sizeof why.detail));
}

void unavailable(wire::Unavailable* out, const char* code, const std::string& detail) {
    out->set_reason_code(code);
    out->set_detail(detail);
}

void count_sink(void* ctx, const char* key, int64_t count) {
    if (key != nullptr) {
        (*static_cast<std::map<std::string, int64_t>*>(ctx))[key] = count;
    }
}

// A call made on a foreign object goes to the provider that object belongs to, not to this one: it
// does not know the object's handle here, STATUS_INVALID_HANDLE (what the Java agent's foreign
// objects answer too).
bool answered_by_foreign(const wire::ObjectArg& a, wire::CallReply* r) {
    if (a.foreign()) {
        r->set_ntstatus(static_cast<uint32_t>(NDK_STATUS_INVALID_HANDLE));
    }
    return a.foreign();
}

bool is_object(Kind k) { return k != Kind::Adapter && k != Kind::Exhaustion && k != Kind::Lifted; }

}  // namespace

std::string op_name(const wire::Call& c) {
    const auto* f = c.GetDescriptor()->FindFieldByNumber(c.op_case());
    if (f == nullptr) {
        return "OP_NOT_SET";
    }
    std::string n = f->name();
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    return n;
}

std::string summary(const wire::CallReply& r) {
    switch (r.result_case()) {
        case wire::CallReply::kNtstatus: return status_text(static_cast<int32_t>(r.ntstatus()));
        case wire::CallReply::kCreated: {
            uint64_t h = r.created().object().handle();
            return status_text(static_cast<int32_t>(r.created().ntstatus())) +
                   (h != 0 ? format(" handle %lld", signed_id(h)) : "");
        }
        case wire::CallReply::kConnectionData: return status_text(static_cast<int32_t>(r.connection_data().ntstatus()));
        case wire::CallReply::kAddress: return status_text(static_cast<int32_t>(r.address().ntstatus()));
        case wire::CallReply::kProviderThrew:
            return "threw " + r.provider_threw().type() + ": " + r.provider_threw().message();
        default: {
            const auto* f = r.GetDescriptor()->FindFieldByNumber(r.result_case());
            return f == nullptr ? "nothing" : f->name();
        }
    }
}

std::string Invocations::in(const char* fn) const {
    return format("call %lld (%s) of session %lld", signed_id(c_.call_id()), fn, signed_id(s_.id));
}

uint64_t Invocations::non_zero(const wire::ObjectArg& a, const char* what) {
    if (a.handle() == 0 || a.foreign()) {
        throw WireError::invalid(std::string(what) + ": the object a call is made on must be a handle of this session");
    }
    return a.handle();
}

ndk_object* Invocations::adapter(const wire::ObjectArg& a) {
    auto r = s_.handles.get(non_zero(a, "adapter"), "adapter", "NdkAdapter", [](Kind k) { return k == Kind::Adapter; });
    return static_cast<ndk_object*>(r.ptr);
}

ndk_object* Invocations::connector(const wire::ObjectArg& a) {
    auto r = s_.handles.get(non_zero(a, "connector"), "connector", "NdkConnector",
                            [](Kind k) { return k == Kind::Connector; });
    return static_cast<ndk_object*>(r.ptr);
}

// An object argument: NULL, a foreign object, or one this session handed out.
ndk_object* Invocations::object(const wire::ObjectArg& a, Kind kind, const char* what) {
    if (a.foreign()) {
        return foreign(kind);
    }
    if (a.handle() == 0) {
        return nullptr;
    }
    auto r = s_.handles.get(a.handle(), what, kind_name(kind), [kind](Kind k) { return k == kind; });
    return static_cast<ndk_object*>(r.ptr);
}

void Invocations::created(wire::Created* out, const char* fn, ndk_status st, ndk_object* obj, int expected) {
    out->set_ntstatus(static_cast<uint32_t>(st));
    if (st == NDK_STATUS_SUCCESS) {
        if (obj == nullptr) {
            throw ProviderFault{"null-object", std::string(fn) + " returned STATUS_SUCCESS with a NULL object"};
        }
        *out->mutable_object() = s_.ref(obj, fn, expected, true);
    } else if (obj != nullptr) {
        log_info(format("session %lld: %s returned %s and set *object too (ignored: an object comes only with "
                        "STATUS_SUCCESS)", signed_id(s_.id), fn, status_text(st).c_str()));
    }
}

template <class Call>
void Invocations::create(wire::CallReply* r, const char* fn, int type, uint64_t completion,
                         const wire::ContextArg& context, Call call) {
    bool cc = s_.callback(completion, CbKind::Create);
    void* ctx = s_.context(CbKind::Create, completion, context, 0, type);
    ndk_object* o = nullptr;
    ndk_status st;
    {
        ProviderScope scope(in(fn), s_.id, c_.call_id(), fn);
        st = call(cc ? ndk_agent_create_completion : nullptr, ctx, &o);
    }
    created(r->mutable_created(), fn, st, o, type);
}

Invocations::Event Invocations::event(CbKind kind, uint64_t callback, const wire::ContextArg& context) {
    bool given = s_.callback(callback, kind);
    return {given, s_.context(kind, callback, context)};
}

template <class Message, class Call>
void Invocations::adapter_create(wire::CallReply* r, const Message& m, const char* fn, int type, Call call) {
    ndk_object* a = adapter(m.adapter());
    create(r, fn, type, m.completion(), m.context(),
           [&](ndk_create_completion cc, void* ctx, ndk_object** o) { return call(a, cc, ctx, o); });
}

template <class Call>
void Invocations::request(wire::CallReply* r, const char* fn, uint64_t completion, const wire::ContextArg& context,
                          Call call) {
    bool rc = s_.callback(completion, CbKind::Request);
    void* ctx = s_.context(CbKind::Request, completion, context);
    ProviderScope scope(in(fn), s_.id, c_.call_id(), fn);
    r->set_ntstatus(static_cast<uint32_t>(call(rc ? ndk_agent_request_completion : nullptr, ctx)));
}

template <class Call>
void Invocations::exhaust(wire::CallReply* r, const char* fn, Call call) {
    ndk_held* held = nullptr;
    ndk_exhaustion_method method = NDK_EXHAUSTION_UNDECLARED;
    char description[512] = "";
    ndk_unavailable why{};
    int ok;
    {
        ProviderScope scope(in(fn), s_.id, c_.call_id(), fn);
        ok = call(&held, &method, description, sizeof description, &why);
    }
    description[sizeof description - 1] = '\0';
    wire::ExhaustionAvailability* out = r->mutable_exhaustion_availability();
    if (!ok) {
        unavailable(out->mutable_unavailable(), why);
        return;
    }
    out->set_exhaustion(s_.handles.fresh(held, Kind::Exhaustion));
    switch (method) {
        case NDK_EXHAUSTION_REAL_LIMIT: out->set_method(wire::EXHAUSTION_METHOD_REAL_LIMIT); break;
        case NDK_EXHAUSTION_INJECTED: out->set_method(wire::EXHAUSTION_METHOD_INJECTED); break;
        default: out->set_method(wire::EXHAUSTION_METHOD_UNSPECIFIED); break;
    }
    out->set_description(description);
}

void Invocations::address(const wire::GetAddress& m, wire::AddressResult* out) {
    OutBuf buf(m.has_address(), m.address(), m.has_address_length() ? m.address_length() : 0);
    Cell len(m.has_address_length(), m.address_length());
    ndk_status st;
    const char* fn;
    switch (m.which()) {
        case wire::GetAddress::WHICH_LOCAL: {
            uint64_t h = non_zero(m.object(), "object");
            auto r = s_.handles.get(h, "object", "Object", [](Kind) { return true; });
            if (r.kind != Kind::Connector && r.kind != Kind::SharedEndpoint && r.kind != Kind::Listener) {
                throw WireError::invalid(format("object: handle %lld has no local address (not a connector, shared "
                                                "endpoint or listener)", signed_id(h)));
            }
            fn = "get_local_address";
            ProviderScope scope(in(fn), s_.id, c_.call_id(), fn);
            st = p_.get_local_address(static_cast<ndk_object*>(r.ptr), buf.data(), len.ptr());
            break;
        }
        case wire::GetAddress::WHICH_PEER: {
            ndk_object* k = connector(m.object());
            fn = "get_peer_address";
            ProviderScope scope(in(fn), s_.id, c_.call_id(), fn);
            st = p_.get_peer_address(k, buf.data(), len.ptr());
            break;
        }
        default: {
            const std::string& n = wire::GetAddress::Which_Name(m.which());
            throw WireError::invalid("get_address.which must be WHICH_LOCAL or WHICH_PEER, not " +
                                     (n.empty() ? std::string("UNRECOGNIZED") : n));
        }
    }
    if (buf.overran()) {
        throw ProviderFault{"buffer-overrun", format("%s wrote past the end of the %zu-byte address buffer it was "
                                                     "given", fn, buf.writable())};
    }
    out->set_ntstatus(static_cast<uint32_t>(st));
    if (len.present) {
        out->set_address_length(len.value);
    }
    if (m.has_address()) {
        out->set_address(buf.contents());
    }
}

void Invocations::run(wire::CallReply* r) {
    ndk_testbed* tb = s_.testbed;
    switch (c_.op_case()) {
        case wire::Call::kQueryAdapterInfo: {
            ndk_object* a = adapter(c_.query_adapter_info().adapter());
            ndk_adapter_info info{};
            info.size = sizeof info;
            ndk_status st;
            {
                ProviderScope scope(in("query_adapter_info"), s_.id, c_.call_id(), "query_adapter_info");
                st = p_.query_adapter_info(a, &info);
            }
            if (st != NDK_STATUS_SUCCESS) {
                throw ProviderFault{"query-failed", "query_adapter_info returned " + status_text(st)};
            }
            fill_adapter_info(info, r->mutable_adapter_info());
            break;
        }
        case wire::Call::kCreatePd:
            adapter_create(r, c_.create_pd(), "create_pd", NDK_OBJECT_PD,
                           [&](auto a, auto cc, auto ctx, auto o) { return p_.create_pd(a, cc, ctx, o); });
            break;
        case wire::Call::kCreateCq:
            adapter_create(r, c_.create_cq(), "create_cq", NDK_OBJECT_CQ, [&](auto a, auto cc, auto ctx, auto o) {
                return p_.create_cq(a, c_.create_cq().cq_depth(), cc, ctx, o);
            });
            break;
        case wire::Call::kCreateConnector:
            adapter_create(r, c_.create_connector(), "create_connector", NDK_OBJECT_CONNECTOR,
                           [&](auto a, auto cc, auto ctx, auto o) { return p_.create_connector(a, cc, ctx, o); });
            break;
        case wire::Call::kCreateSharedEndpoint: {
            const auto& m = c_.create_shared_endpoint();
            InBuf addr(m.has_local_address(), m.local_address().bytes(), m.local_address().length());
            adapter_create(r, m, "create_shared_endpoint", NDK_OBJECT_SHARED_ENDPOINT,
                           [&](auto a, auto cc, auto ctx, auto o) {
                               return p_.create_shared_endpoint(a, addr.data(), m.local_address().length(), cc, ctx, o);
                           });
            break;
        }
        case wire::Call::kCreateListener: {
            const auto& m = c_.create_listener();
            ndk_object* a = adapter(m.adapter());
            Event ev = event(CbKind::ConnectEvent, m.connect_event(), m.connect_event_context());
            create(r, "create_listener", NDK_OBJECT_LISTENER, m.completion(), m.context(),
                   [&](ndk_create_completion cc, void* ctx, ndk_object** o) {
                       return p_.create_listener(a, ev.given ? ndk_agent_connect_event : nullptr, ev.context, cc,
                                                 ctx, o);
                   });
            break;
        }
        case wire::Call::kCreateQp: {
            const auto& m = c_.create_qp();
            ndk_object* pd = object(m.pd(), Kind::Pd, "pd");
            ndk_object* rcq = object(m.receive_cq(), Kind::Cq, "receive_cq");
            ndk_object* icq = object(m.initiator_cq(), Kind::Cq, "initiator_cq");
            ndk_qp_parameters params{};
            const auto& q = m.parameters();
            params.receive_queue_depth = q.receive_queue_depth();
            params.initiator_queue_depth = q.initiator_queue_depth();
            params.max_receive_request_sge = q.max_receive_request_sge();
            params.max_initiator_request_sge = q.max_initiator_request_sge();
            params.inline_data_size = q.inline_data_size();
            create(r, "create_qp", NDK_OBJECT_QP, m.completion(), m.context(),
                   [&](ndk_create_completion cc, void* ctx, ndk_object** o) {
                       return p_.create_qp(pd, rcq, icq, m.has_parameters() ? &params : nullptr, cc, ctx, o);
                   });
            break;
        }
        case wire::Call::kCloseAdapter: {
            uint64_t h = non_zero(c_.close_adapter().adapter(), "adapter");
            ndk_object* a = adapter(c_.close_adapter().adapter());
            if (p_.close_adapter == nullptr) {
                throw ProviderFault{"not-implemented", "the provider's table has no close_adapter (NULL): its "
                                                       "adapters close only with close_testbed"};
            }
            {
                ProviderScope scope(in("close_adapter"), s_.id, c_.call_id(), "close_adapter");
                p_.close_adapter(a);
            }
            s_.handles.mark_closed(h);
            r->mutable_done();
            break;
        }
        case wire::Call::kConnect: {
            const auto& m = c_.connect();
            ndk_object* k = connector(m.connector());
            ndk_object* qp = object(m.qp(), Kind::Qp, "qp");
            InBuf src(m.has_source(), m.source().bytes(), m.source().length());
            InBuf dst(m.has_destination(), m.destination().bytes(), m.destination().length());
            InBuf pd(m.has_private_data(), m.private_data(), m.private_data_length());
            request(r, "connect", m.completion(), m.context(), [&](ndk_request_completion rc, void* ctx) {
                return p_.connect(k, qp, src.data(), m.source().length(), dst.data(), m.destination().length(),
                                  m.inbound_read_limit(), m.outbound_read_limit(), pd.data(), m.private_data_length(),
                                  rc, ctx);
            });
            break;
        }
        case wire::Call::kConnectWithSharedEndpoint: {
            const auto& m = c_.connect_with_shared_endpoint();
            ndk_object* k = connector(m.connector());
            ndk_object* qp = object(m.qp(), Kind::Qp, "qp");
            ndk_object* se = object(m.shared_endpoint(), Kind::SharedEndpoint, "shared_endpoint");
            InBuf dst(m.has_destination(), m.destination().bytes(), m.destination().length());
            InBuf pd(m.has_private_data(), m.private_data(), m.private_data_length());
            request(r, "connect_with_shared_endpoint", m.completion(), m.context(),
                    [&](ndk_request_completion rc, void* ctx) {
                        return p_.connect_with_shared_endpoint(k, qp, se, dst.data(), m.destination().length(),
                                                               m.inbound_read_limit(), m.outbound_read_limit(),
                                                               pd.data(), m.private_data_length(), rc, ctx);
                    });
            break;
        }
        case wire::Call::kCompleteConnect: {
            const auto& m = c_.complete_connect();
            ndk_object* k = connector(m.connector());
            Event de = event(CbKind::DisconnectEvent, m.disconnect_event(), m.disconnect_event_context());
            request(r, "complete_connect", m.completion(), m.context(), [&](ndk_request_completion rc, void* ctx) {
                return p_.complete_connect(k, de.given ? ndk_agent_disconnect_event : nullptr, de.context, rc, ctx);
            });
            break;
        }
        case wire::Call::kAccept: {
            const auto& m = c_.accept();
            ndk_object* k = connector(m.connector());
            ndk_object* qp = object(m.qp(), Kind::Qp, "qp");
            InBuf pd(m.has_private_data(), m.private_data(), m.private_data_length());
            Event de = event(CbKind::DisconnectEvent, m.disconnect_event(), m.disconnect_event_context());
            request(r, "accept", m.completion(), m.context(), [&](ndk_request_completion rc, void* ctx) {
                return p_.accept(k, qp, m.inbound_read_limit(), m.outbound_read_limit(), pd.data(),
                                 m.private_data_length(), de.given ? ndk_agent_disconnect_event : nullptr, de.context,
                                 rc, ctx);
            });
            break;
        }
        case wire::Call::kReject: {
            const auto& m = c_.reject();
            ndk_object* k = connector(m.connector());
            InBuf pd(m.has_private_data(), m.private_data(), m.private_data_length());
            ProviderScope scope(in("reject"), s_.id, c_.call_id(), "reject");
            r->set_ntstatus(static_cast<uint32_t>(p_.reject(k, pd.data(), m.private_data_length())));
            break;
        }
        case wire::Call::kGetConnectionData: {
            const auto& m = c_.get_connection_data();
            ndk_object* k = connector(m.connector());
            Cell in_limit(m.has_inbound_read_limit(), m.inbound_read_limit());
            Cell out_limit(m.has_outbound_read_limit(), m.outbound_read_limit());
            OutBuf buf(m.has_private_data(), m.private_data(),
                       m.has_private_data_length() ? m.private_data_length() : 0);
            Cell len(m.has_private_data_length(), m.private_data_length());
            ndk_status st;
            {
                ProviderScope scope(in("get_connection_data"), s_.id, c_.call_id(), "get_connection_data");
                st = p_.get_connection_data(k, in_limit.ptr(), out_limit.ptr(), buf.data(), len.ptr());
            }
            if (buf.overran()) {
                throw ProviderFault{"buffer-overrun", format("get_connection_data wrote past the end of the %zu-byte "
                                                             "private data buffer it was given", buf.writable())};
            }
            wire::ConnectionData* d = r->mutable_connection_data();
            d->set_ntstatus(static_cast<uint32_t>(st));
            if (len.present) {
                d->set_private_data_length(len.value);
            }
            if (in_limit.present) {
                d->set_inbound_read_limit(in_limit.value);
            }
            if (out_limit.present) {
                d->set_outbound_read_limit(out_limit.value);
            }
            if (m.has_private_data()) {
                d->set_private_data(buf.contents());
            }
            break;
        }
        case wire::Call::kGetAddress:
            address(c_.get_address(), r->mutable_address());
            break;
        case wire::Call::kDisconnect: {
            const auto& m = c_.disconnect();
            ndk_object* k = connector(m.connector());
            request(r, "disconnect", m.completion(), m.context(),
                    [&](ndk_request_completion rc, void* ctx) { return p_.disconnect(k, rc, ctx); });
            break;
        }
        case wire::Call::kListen: {
            const auto& m = c_.listen();
            if (answered_by_foreign(m.listener(), r)) {
                break;
            }
            non_zero(m.listener(), "listener");
            ndk_object* l = object(m.listener(), Kind::Listener, "listener");
            InBuf addr(m.has_address(), m.address().bytes(), m.address().length());
            request(r, "listen", m.completion(), m.context(), [&](ndk_request_completion rc, void* ctx) {
                return p_.listen(l, addr.data(), m.address().length(), rc, ctx);
            });
            break;
        }
        case wire::Call::kControlConnectEvents: {
            const auto& m = c_.control_connect_events();
            if (!m.listener().foreign()) {
                // (a foreign listener answers for itself, as another provider's object would: nothing)
                non_zero(m.listener(), "listener");
                ndk_object* l = object(m.listener(), Kind::Listener, "listener");
                ProviderScope scope(in("control_connect_events"), s_.id, c_.call_id(), "control_connect_events");
                p_.control_connect_events(l, m.pause() ? 1 : 0);
            }
            r->mutable_done();
            break;
        }
        case wire::Call::kCloseObject: {
            const auto& m = c_.close_object();
            if (answered_by_foreign(m.object(), r)) {
                break;
            }
            uint64_t h = non_zero(m.object(), "object");
            auto rec = s_.handles.get(h, "object", "NdkObject", is_object);
            bool cc = s_.callback(m.completion(), CbKind::Close);
            void* ctx = s_.context(CbKind::Close, m.completion(), m.context(), h);
            ndk_status st;
            {
                ProviderScope scope(in("close"), s_.id, c_.call_id(), "close");
                st = p_.close(static_cast<ndk_object*>(rec.ptr), cc ? ndk_agent_close_completion : nullptr, ctx);
            }
            if (st == NDK_STATUS_SUCCESS) {
                s_.handles.mark_closed(h);
            } else if (st == NDK_STATUS_PENDING) {
                s_.handles.mark_closing(h);
            }
            r->set_ntstatus(static_cast<uint32_t>(st));
            break;
        }
        case wire::Call::kLabAddress: {
            ndk_lab_condition cond = condition(c_.lab_address().condition());
            constexpr uint32_t kSize = 128;
            uint8_t buf[kSize + kGuard];
            memset(buf, 0, kSize);
            memset(buf + kSize, kGuardByte, kGuard);
            uint32_t len = kSize;
            ndk_unavailable why{};
            int ok;
            {
                ProviderScope scope(in("testbed_lab_address"), s_.id, c_.call_id(), "testbed_lab_address");
                ok = p_.testbed_lab_address(tb, cond, buf, &len, &why);
            }
            bool overran = std::any_of(buf + kSize, buf + kSize + kGuard, [](uint8_t b) { return b != kGuardByte; });
            auto* a = r->mutable_address_availability();
            if (!ok) {
                unavailable(a->mutable_unavailable(), why);
            } else if (overran || len > kSize) {
                throw ProviderFault{"buffer-overrun", format("testbed_lab_address wrote an address of %u bytes into "
                                                             "a %u-byte buffer", len, kSize)};
            } else {
                a->mutable_address()->set_bytes(std::string(reinterpret_cast<const char*>(buf), len));
                a->mutable_address()->set_length(len);
            }
            break;
        }
        case wire::Call::kExhaustResources: {
            ndk_host hst = host(c_.exhaust_resources().host());
            exhaust(r, "exhaust_resources", [&](auto held, auto method, char* description, size_t size, auto why) {
                return p_.exhaust_resources(tb, hst, held, method, description, size, why);
            });
            break;
        }
        case wire::Call::kExhaustEphemeralPorts: {
            const std::string& ip = c_.exhaust_ephemeral_ports().local_ip();
            if (ip.size() != 4 && ip.size() != 16) {
                throw WireError::invalid(format("local_ip: an IP address is 4 or 16 bytes, not %zu", ip.size()));
            }
            const auto* bytes = reinterpret_cast<const uint8_t*>(ip.data());
            auto length = static_cast<uint8_t>(ip.size());
            exhaust(r, "exhaust_ephemeral_ports",
                    [&](auto held, auto method, char* description, size_t size, auto why) {
                        return p_.exhaust_ephemeral_ports(tb, bytes, length, held, method, description, size, why);
                    });
            break;
        }
        case wire::Call::kLiftCondition: {
            ndk_lab_condition cond = condition(c_.lift_condition().condition());
            auto* a = r->mutable_exhaustion_availability();
            if (p_.lift_condition == nullptr) {
                unavailable(a->mutable_unavailable(), "cannot-lift-condition",
                            format("the testbed cannot make the %s destination reachable", condition_name(cond)));
                break;
            }
            ndk_held* held = nullptr;
            ndk_unavailable why{};
            int ok;
            {
                ProviderScope scope(in("lift_condition"), s_.id, c_.call_id(), "lift_condition");
                ok = p_.lift_condition(tb, cond, &held, &why);
            }
            if (ok) {
                a->set_exhaustion(s_.handles.fresh(held, Kind::Lifted));
            } else {
                unavailable(a->mutable_unavailable(), why);
            }
            break;
        }
        case wire::Call::kReleaseExhaustion: {
            // an exhaustion's or a lifted condition's handle: both put the lab back when released
            uint64_t h = c_.release_exhaustion().exhaustion();
            auto rec = s_.handles.get(h, "exhaustion", "ResourceExhaustion",
                                      [](Kind k) { return k == Kind::Exhaustion || k == Kind::Lifted; });
            {
                ProviderScope scope(in("release_held"), s_.id, c_.call_id(), "release_held");
                p_.release_held(tb, static_cast<ndk_held*>(rec.ptr));
            }
            s_.handles.mark_closed(h);
            r->mutable_done();
            break;
        }
        case wire::Call::kListenerBacklog: {
            uint32_t backlog = 0;
            ndk_unavailable why{};
            int ok;
            {
                ProviderScope scope(in("listener_backlog"), s_.id, c_.call_id(), "listener_backlog");
                ok = p_.listener_backlog(tb, &backlog, &why);
            }
            auto* a = r->mutable_count_availability();
            if (ok) {
                a->set_count(backlog);
            } else {
                unavailable(a->mutable_unavailable(), why);
            }
            break;
        }
        case wire::Call::kResourceCounts: {
            auto* a = r->mutable_counts_availability();
            if (p_.resource_counts == nullptr) {
                unavailable(a->mutable_unavailable(), "no-resource-counts",
                            "the provider does not count its live objects");
                break;
            }
            std::map<std::string, int64_t> counts;
            ndk_unavailable why{};
            int ok;
            {
                ProviderScope scope(in("resource_counts"), s_.id, c_.call_id(), "resource_counts");
                ok = p_.resource_counts(tb, count_sink, &counts, &why);
            }
            if (ok) {
                auto* m = a->mutable_counts()->mutable_counts();
                for (const auto& kv : counts) {
                    (*m)[kv.first] = kv.second;
                }
            } else {
                unavailable(a->mutable_unavailable(), why);
            }
            break;
        }
        case wire::Call::kQpLimits: {
            ndk_object* qp = object(c_.qp_limits().qp(), Kind::Qp, "qp");
            auto* a = r->mutable_qp_limits_availability();
            if (p_.qp_read_limits == nullptr) {
                unavailable(a->mutable_unavailable(), "no-qp-attributes",
                            "the testbed cannot read a QP's read limits from its device");
                break;
            }
            uint32_t inbound = 0, outbound = 0;
            ndk_unavailable why{};
            int ok;
            {
                ProviderScope scope(in("qp_read_limits"), s_.id, c_.call_id(), "qp_read_limits");
                ok = p_.qp_read_limits(tb, qp, &inbound, &outbound, &why);
            }
            if (ok) {
                a->mutable_limits()->set_inbound(inbound);
                a->mutable_limits()->set_outbound(outbound);
            } else {
                unavailable(a->mutable_unavailable(), why);
            }
            break;
        }
        case wire::Call::kAwaitQuiescence:
            // ndk.wire.v1.4's Testbed.awaitQuiescence. The C provider ABI has no quiescence and this
            // agent says v1.3 at Hello, so a client does not send it; one that does gets what any
            // operation this agent does not serve gets (nothing reaches the provider).
            throw WireError::unimplemented(format("call %lld: await_quiescence (ndk.wire.v1.4) is not served by this "
                                                  "agent (ndk.wire.v1.3; the C provider ABI has no quiescence)",
                                                  signed_id(c_.call_id())));
        case wire::Call::OP_NOT_SET:
            throw WireError::unimplemented(format("call %lld names no operation this agent knows (ndk.wire.v1.3)",
                                                  signed_id(c_.call_id())));
    }
}

void fill_adapter_info(const ndk_adapter_info& i, wire::AdapterInfo* o) {
    o->set_version_major(i.version_major);
    o->set_version_minor(i.version_minor);
    o->set_vendor_id(i.vendor_id);
    o->set_device_id(i.device_id);
    o->set_max_registration_size(i.max_registration_size);
    o->set_max_window_size(i.max_window_size);
    o->set_frmr_page_count(i.frmr_page_count);
    o->set_max_initiator_request_sge(i.max_initiator_request_sge);
    o->set_max_receive_request_sge(i.max_receive_request_sge);
    o->set_max_read_request_sge(i.max_read_request_sge);
    o->set_max_transfer_length(i.max_transfer_length);
    o->set_max_inline_data_size(i.max_inline_data_size);
    o->set_max_inbound_read_limit(i.max_inbound_read_limit);
    o->set_max_outbound_read_limit(i.max_outbound_read_limit);
    o->set_max_receive_queue_depth(i.max_receive_queue_depth);
    o->set_max_initiator_queue_depth(i.max_initiator_queue_depth);
    o->set_max_srq_depth(i.max_srq_depth);
    o->set_max_cq_depth(i.max_cq_depth);
    o->set_large_request_threshold(i.large_request_threshold);
    o->set_max_caller_data(i.max_caller_data);
    o->set_max_callee_data(i.max_callee_data);
    o->set_adapter_flags(i.adapter_flags);
    o->set_rdma_technology(static_cast<wire::RdmaTechnology>(i.rdma_technology));
}

}  // namespace ndkagent
