// The two ways a call ends without a result from the provider.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

namespace ndkagent {

// A message the agent refuses before any of it reaches the provider (an unknown handle, a handle of
// the wrong type or of another session, an IP address of the wrong length, a missing operation): a
// gRPC error whose message names what was wrong. The agent goes on serving.
struct WireError {
    grpc::StatusCode code;
    std::string message;

    static WireError invalid(std::string m) { return {grpc::StatusCode::INVALID_ARGUMENT, std::move(m)}; }
    static WireError precondition(std::string m) { return {grpc::StatusCode::FAILED_PRECONDITION, std::move(m)}; }
    static WireError not_found(std::string m) { return {grpc::StatusCode::NOT_FOUND, std::move(m)}; }
    static WireError unimplemented(std::string m) { return {grpc::StatusCode::UNIMPLEMENTED, std::move(m)}; }

    grpc::Status status() const { return grpc::Status(code, message); }
};

// The provider broke the C ABI's contract in what it returned (a NULL object with STATUS_SUCCESS,
// an object of no NDK type, a buffer written past its end): what a Java provider's exception is to
// the Java agent, reported the same way (CallReply.provider_threw, HelloReply.open_threw).
struct ProviderFault {
    std::string type;     // a stable word, e.g. "null-object", "buffer-overrun"
    std::string message;  // one sentence naming the function and what it did
};

}  // namespace ndkagent
