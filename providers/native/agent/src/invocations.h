// Turns one Call into the provider function it stands for, and its result into the reply.
#pragma once

#include <string>

#include "session.h"

namespace ndkagent {

class Invocations {
public:
    Invocations(Session& s, const wire::Call& c) : s_(s), p_(s.p), c_(c) {}
    // Throws WireError for a message the agent refuses (nothing reached the provider), ProviderFault
    // when what the provider returned breaks the C ABI's contract.
    void run(wire::CallReply* reply);

private:
    std::string in(const char* fn) const;
    ndk_object* adapter(const wire::ObjectArg& a);
    ndk_object* connector(const wire::ObjectArg& a);
    ndk_object* object(const wire::ObjectArg& a, Kind kind, const char* what);
    uint64_t non_zero(const wire::ObjectArg& a, const char* what);
    void created(wire::Created* out, const char* fn, ndk_status st, ndk_object* obj, int expected);
    // The create pattern: the completion's kind checked, its context made, the call, its result.
    template <class Call>
    void create(wire::CallReply* r, const char* fn, int type, uint64_t completion, const wire::ContextArg& context,
                Call call);
    // An event callback (connect, disconnect) and its context, as the provider gets them.
    struct Event {
        bool given;     // the client gave a callback (else the provider gets NULL)
        void* context;  // what the provider gets as the event's context
    };
    Event event(CbKind kind, uint64_t callback, const wire::ContextArg& context);
    // A create made on an adapter (the message names it, its completion and its context).
    template <class Message, class Call>
    void adapter_create(wire::CallReply* r, const Message& m, const char* fn, int type, Call call);
    // The request pattern (and listen's): the same with a request completion, an NTSTATUS back.
    template <class Call>
    void request(wire::CallReply* r, const char* fn, uint64_t completion, const wire::ContextArg& context, Call call);
    void address(const wire::GetAddress& m, wire::AddressResult* out);
    // An exhaustion (resources, ephemeral ports): a handle, how it was made and what it is, or why not.
    template <class Call>
    void exhaust(wire::CallReply* r, const char* fn, Call call);

    Session& s_;
    const ndk_provider& p_;
    const wire::Call& c_;
};

// The call's operation as the Java agent names it in its log ("CREATE_PD").
std::string op_name(const wire::Call& c);
// One line for the debug log.
std::string summary(const wire::CallReply& r);

}  // namespace ndkagent

namespace ndkagent {
// NDK_ADAPTER_INFO into its message.
void fill_adapter_info(const ndk_adapter_info& i, wire::AdapterInfo* o);
}  // namespace ndkagent
