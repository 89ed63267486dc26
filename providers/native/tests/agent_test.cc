// agent_test CASE: the C++ agent seen from a client that speaks ndk.wire.v1 by hand, against the
// test provider (libndk-abi-test-provider.so) told to behave or to misbehave. Each case starts its
// own agent process (NDK_AGENT, NDK_TEST_PROVIDER name the files); CTest runs each case as a test.
//
// What the cases show: a refused table ends the agent with exit 2 and one line; every malformed or
// out-of-order message gets the gRPC error the wire contract names and the agent goes on serving;
// lengths that disagree with their buffers and garbage from the provider are NTSTATUS values or
// provider errors, never a crash; callbacks are numbered, held and marked as the contract says; a
// provider that crashes is reported and the agent serves the next session, whose worker says how the
// lost session ended (SessionEnd); SIGTERM stops it cleanly.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ndk/wire/v1/ndk_wire.grpc.pb.h"

namespace wire = ::ndk::wire::v1;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

// ------------------------------------------------------------------------------- checks

struct Failed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

#define CHECK(cond, what)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            std::ostringstream m_;                                                                           \
            m_ << __FILE__ << ":" << __LINE__ << ": " << #cond << ": " << what;                              \
            throw Failed(m_.str());                                                                          \
        }                                                                                                    \
    } while (0)

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::string env(const char* name) {
    const char* v = getenv(name);
    if (v == nullptr) {
        throw Failed(std::string("the environment has no ") + name);
    }
    return v;
}

void expect_error(const grpc::Status& st, grpc::StatusCode code, const std::vector<std::string>& parts) {
    CHECK(st.error_code() == code,
          "status " << st.error_code() << " (" << st.error_message() << "), expected " << code);
    for (const auto& p : parts) {
        CHECK(contains(st.error_message(), p), "'" << st.error_message() << "' does not name '" << p << "'");
    }
}

// ------------------------------------------------------------------------------- the agent process

class Agent {
public:
    // Starts ndk-agent-native with 'args' (the provider library and a free port are added) and waits
    // for its "listening" line; false when it exits first.
    bool start(std::vector<std::string> args, const std::map<std::string, std::string>& environment = {},
               const std::string& lib = env("NDK_TEST_PROVIDER")) {
        char tmpl[] = "/tmp/ndk-agent-test-XXXXXX";
        int fd = mkstemp(tmpl);
        close(fd);
        log_path_ = tmpl;
        int out[2];
        if (pipe(out) != 0) {
            throw Failed("pipe");
        }
        std::vector<std::string> argv = {env("NDK_AGENT"), "--provider-lib", lib, "--listen", "127.0.0.1:0"};
        argv.insert(argv.end(), args.begin(), args.end());
        pid_ = fork();
        if (pid_ == 0) {
            for (const auto& kv : environment) {
                setenv(kv.first.c_str(), kv.second.c_str(), 1);
            }
            dup2(out[1], STDOUT_FILENO);
            int err = open(log_path_.c_str(), O_WRONLY | O_TRUNC);
            dup2(err, STDERR_FILENO);
            close(out[0]);
            std::vector<char*> a;
            for (auto& s : argv) {
                a.push_back(s.data());
            }
            a.push_back(nullptr);
            execv(a[0], a.data());
            _exit(127);
        }
        close(out[1]);
        out_ = out[0];
        auto deadline = steady_clock::now() + std::chrono::seconds(20);
        std::string line;
        while (steady_clock::now() < deadline) {
            pollfd pf{out_, POLLIN, 0};
            if (poll(&pf, 1, 100) <= 0) {
                continue;
            }
            char c;
            if (read(out_, &c, 1) != 1) {
                return false;  // its output ended: it exited
            }
            stdout_ += c;
            if (c != '\n') {
                line += c;
                continue;
            }
            const std::string prefix = "ndk-agent listening on 127.0.0.1:";
            if (line.rfind(prefix, 0) == 0) {
                port_ = std::stoi(line.substr(prefix.size()));
                return true;
            }
            line.clear();
        }
        return false;
    }

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    std::string out() const { return stdout_; }

    std::string log() const {
        std::ifstream f(log_path_);
        std::stringstream s;
        s << f.rdbuf();
        return s.str();
    }

    // Waits (bounded) until the agent's log has 'part'.
    bool log_has(const std::string& part, milliseconds bound = milliseconds(10000)) const {
        auto deadline = steady_clock::now() + bound;
        while (steady_clock::now() < deadline) {
            if (contains(log(), part)) {
                return true;
            }
            std::this_thread::sleep_for(milliseconds(20));
        }
        return false;
    }

    // Its exit status (the wait status), or nullopt if it did not exit within 'bound'.
    std::optional<int> wait(milliseconds bound) {
        auto deadline = steady_clock::now() + bound;
        while (steady_clock::now() < deadline) {
            int st = 0;
            if (waitpid(pid_, &st, WNOHANG) == pid_) {
                pid_ = -1;
                return st;
            }
            std::this_thread::sleep_for(milliseconds(20));
        }
        return std::nullopt;
    }

    void signal(int sig) { kill(pid_, sig); }

    ~Agent() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (out_ >= 0) {
            close(out_);
        }
        if (!log_path_.empty()) {
            if (getenv("NDK_TEST_SHOW_LOG") != nullptr) {
                fprintf(stderr, "--- agent log ---\n%s-----------------\n", log().c_str());
            }
            unlink(log_path_.c_str());
        }
    }

private:
    pid_t pid_ = -1;
    int out_ = -1;
    int port_ = 0;
    std::string log_path_;
    std::string stdout_;
};

// ------------------------------------------------------------------------------- the client

wire::WireVersion version(uint32_t major, uint32_t minor) {
    wire::WireVersion v;
    v.set_major(major);
    v.set_minor(minor);
    return v;
}

class Client {
public:
    explicit Client(int port) : port_(port) { reconnect(); }

    // A new channel (a broken one waits out its reconnection backoff, as the kit's next run does not).
    void reconnect() {
        if (stub_ != nullptr) {
            retired_.push_back(std::move(stub_));  // streams made with it may still be alive
        }
        channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_), grpc::InsecureChannelCredentials());
        stub_ = wire::NdkAgent::NewStub(channel_);
    }

    wire::NdkAgent::Stub& stub() { return *stub_; }

    grpc::Status hello(const wire::HelloRequest& req, wire::HelloReply* reply, int bound_ms = 10000) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + milliseconds(bound_ms));
        return stub_->Hello(&ctx, req, reply);
    }

    static wire::HelloRequest request() {
        wire::HelloRequest r;
        *r.mutable_wire_version() = version(1, 2);
        r.set_client("agent_test");
        return r;
    }

    grpc::Status open(const std::map<std::string, std::string>& settings, wire::HelloReply* reply) {
        wire::HelloRequest r = request();
        r.mutable_open()->set_connect_timeout_ms(2000);
        r.mutable_open()->set_callback_timeout_ms(20000);
        for (const auto& kv : settings) {
            (*r.mutable_open()->mutable_settings())[kv.first] = kv.second;
        }
        return hello(r, reply);
    }

    // A session with its testbed open (the check fails otherwise).
    wire::HelloReply session(const std::map<std::string, std::string>& settings = {}) {
        wire::HelloReply reply;
        grpc::Status st = open(settings, &reply);
        CHECK(st.ok(), "open: " << st.error_message());
        CHECK(reply.has_testbed(), "no testbed: " << reply.ShortDebugString());
        return reply;
    }

    // Opens once the agent is free (bounded: it frees itself, or a new worker starts, just after a client went).
    wire::HelloReply session_once_free(const std::map<std::string, std::string>& settings = {}) {
        auto deadline = steady_clock::now() + std::chrono::seconds(10);
        while (true) {
            wire::HelloReply reply;
            grpc::Status st = open(settings, &reply);
            if (st.ok()) {
                CHECK(reply.has_testbed(), "no testbed: " << reply.ShortDebugString());
                return reply;
            }
            CHECK(st.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
                      st.error_code() == grpc::StatusCode::UNAVAILABLE,
                  "open: " << st.error_code() << " " << st.error_message());
            CHECK(steady_clock::now() < deadline, "the agent still refuses a session: " << st.error_message());
            if (st.error_code() == grpc::StatusCode::UNAVAILABLE) {
                reconnect();
            }
            std::this_thread::sleep_for(milliseconds(50));
        }
    }

    wire::Call call(uint64_t session) {
        wire::Call c;
        c.set_session(session);
        c.set_call_id(++ids_);
        return c;
    }

    grpc::Status invoke(const wire::Call& c, wire::CallReply* reply, int bound_ms = 10000) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + milliseconds(bound_ms));
        return stub_->Invoke(&ctx, c, reply);
    }

    wire::CallReply ok(const wire::Call& c) {
        wire::CallReply reply;
        grpc::Status st = invoke(c, &reply);
        CHECK(st.ok(), c.ShortDebugString() << ": " << st.error_code() << " " << st.error_message());
        return reply;
    }

    grpc::Status error(const wire::Call& c) {
        wire::CallReply reply;
        grpc::Status st = invoke(c, &reply);
        CHECK(!st.ok(), c.ShortDebugString() << ": a reply instead of an error: " << reply.ShortDebugString());
        return st;
    }

    grpc::Status session_end(uint64_t session, wire::SessionEndReply* reply, int bound_ms = 2000) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + milliseconds(bound_ms));
        wire::SessionEndRequest req;
        req.set_session(session);
        return stub_->SessionEnd(&ctx, req, reply);
    }

    // SessionEnd, asked again (on a new channel) while the agent does not answer, as the kit asks
    // while a new worker starts; bounded by 10 s.
    wire::SessionEndReply session_end_once_answered(uint64_t session) {
        auto deadline = steady_clock::now() + std::chrono::seconds(10);
        while (true) {
            wire::SessionEndReply reply;
            grpc::Status st = session_end(session, &reply);
            if (st.ok()) {
                return reply;
            }
            CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE ||
                      st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED,
                  "session end: " << st.error_code() << " " << st.error_message());
            CHECK(steady_clock::now() < deadline, "the agent did not answer SessionEnd: " << st.error_message());
            reconnect();
            std::this_thread::sleep_for(milliseconds(50));
        }
    }

    void goodbye(uint64_t session) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(40));
        wire::GoodbyeRequest req;
        req.set_session(session);
        wire::GoodbyeReply reply;
        grpc::Status st = stub_->Goodbye(&ctx, req, &reply);
        CHECK(st.ok(), "goodbye: " << st.error_message());
    }

private:
    int port_;
    std::shared_ptr<grpc::Channel> channel_;
    std::unique_ptr<wire::NdkAgent::Stub> stub_;
    std::vector<std::unique_ptr<wire::NdkAgent::Stub>> retired_;
    uint64_t ids_ = 0;
};

// An agent started for a case, and a client of it (the client goes first).
struct Served {
    explicit Served(const std::vector<std::string>& args = {}) {
        CHECK(agent.start(args), agent.log());
        client = std::make_unique<Client>(agent.port());
    }
    Agent agent;
    std::unique_ptr<Client> client;
};

wire::ObjectArg arg(uint64_t handle) {
    wire::ObjectArg a;
    a.set_handle(handle);
    return a;
}

uint64_t session_of(const wire::HelloReply& r) { return r.testbed().session(); }
uint64_t adapter_of(const wire::HelloReply& r) { return r.testbed().local().adapter().handle(); }

// The agent still serves the session: a valid call gets the adapter's info.
void still_serves(Client& c, const wire::HelloReply& r) {
    wire::Call q = c.call(session_of(r));
    *q.mutable_query_adapter_info()->mutable_adapter() = arg(adapter_of(r));
    wire::CallReply reply = c.ok(q);
    CHECK(reply.has_adapter_info(), reply.ShortDebugString());
    CHECK(reply.adapter_info().vendor_id() == 0x1AB, reply.ShortDebugString());
}

uint64_t create_pd(Client& c, const wire::HelloReply& r, uint64_t completion = 1) {
    wire::Call q = c.call(session_of(r));
    *q.mutable_create_pd()->mutable_adapter() = arg(adapter_of(r));
    q.mutable_create_pd()->set_completion(completion);
    wire::CallReply reply = c.ok(q);
    CHECK(reply.created().ntstatus() == 0 && reply.created().object().handle() != 0, reply.ShortDebugString());
    return reply.created().object().handle();
}

wire::SockAddr v4(uint8_t a, uint8_t b, uint8_t c3, uint8_t d, uint16_t port, uint32_t length = 16, size_t bytes = 16) {
    std::string s(bytes, '\0');
    const uint8_t v[8] = {2, 0, static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port), a, b, c3, d};
    memcpy(s.data(), v, std::min<size_t>(8, bytes));
    wire::SockAddr addr;
    addr.set_bytes(s);
    addr.set_length(length);
    return addr;
}

// One Callbacks stream as a client holds it: what the agent sent on it, and how it ended.
class Stream {
public:
    explicit Stream(Client& c) : rw_(c.stub().Callbacks(&ctx_)) {
        reader_ = std::thread([this] {
            wire::Callback cb;
            while (rw_->Read(&cb)) {
                std::lock_guard<std::mutex> l(mu_);
                got_.push_back(cb);
                cv_.notify_all();
            }
            grpc::Status st = rw_->Finish();
            std::lock_guard<std::mutex> l(mu_);
            end_ = st;
            cv_.notify_all();
        });
    }
    ~Stream() {
        ctx_.TryCancel();
        reader_.join();
    }

    void send(uint64_t session, uint64_t seq) {
        std::lock_guard<std::mutex> l(write_mu_);
        wire::CallbackReturn m;
        m.set_session(session);
        m.set_seq(seq);
        rw_->Write(m);
    }
    void half_close() {
        std::lock_guard<std::mutex> l(write_mu_);
        rw_->WritesDone();
    }
    void cancel() { ctx_.TryCancel(); }

    // The next callback (the check fails if the stream ends or nothing comes within 'bound').
    wire::Callback next(milliseconds bound = milliseconds(5000)) {
        std::unique_lock<std::mutex> l(mu_);
        CHECK(cv_.wait_for(l, bound, [&] { return !got_.empty() || end_.has_value(); }), "no callback within "
                                                                                          << bound.count() << " ms");
        CHECK(!got_.empty(), "the stream ended instead: " << end_->error_code() << " " << end_->error_message());
        wire::Callback cb = got_.front();
        got_.pop_front();
        return cb;
    }

    // How the agent ended the stream (no callback may come first).
    grpc::Status end(milliseconds bound = milliseconds(10000)) {
        std::unique_lock<std::mutex> l(mu_);
        CHECK(cv_.wait_for(l, bound, [&] { return !got_.empty() || end_.has_value(); }), "the stream did not end");
        CHECK(got_.empty(), "a callback instead of the end: " << got_.front().ShortDebugString());
        return *end_;
    }

    void quiet_for(milliseconds ms) {
        std::unique_lock<std::mutex> l(mu_);
        CHECK(!cv_.wait_for(l, ms, [&] { return !got_.empty() || end_.has_value(); }), "something arrived on the "
                                                                                        "stream");
    }

private:
    grpc::ClientContext ctx_;
    std::unique_ptr<grpc::ClientReaderWriter<wire::CallbackReturn, wire::Callback>> rw_;
    std::thread reader_;
    std::mutex write_mu_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<wire::Callback> got_;
    std::optional<grpc::Status> end_;
};

std::unique_ptr<Stream> attach(Client& c, uint64_t session) {
    auto s = std::make_unique<Stream>(c);
    s->send(session, 0);
    return s;
}

// ================================================================================ the cases

// A table the agent cannot serve ends it with exit 2 and one line saying why; nothing listens.
void bad_tables() {
    struct Bad {
        std::map<std::string, std::string> env;
        std::string lib;
        std::string says;
    };
    const std::string provider = env("NDK_TEST_PROVIDER");
    const std::vector<Bad> cases = {
        {{{"NDK_ABI_TEST_TABLE", "null"}}, provider, "ndk_provider_entry(1) returned NULL"},
        {{{"NDK_ABI_TEST_TABLE", "wrong-major"}}, provider, "the provider's table is ABI 2.0; this agent serves ABI 1"},
        {{{"NDK_ABI_TEST_TABLE", "small"}}, provider, "smaller than the ABI 1.0 table"},
        {{{"NDK_ABI_TEST_TABLE", "null-function"}}, provider, "the provider's table has no accept, listen (NULL"},
        {{{"NDK_ABI_TEST_TABLE", "crash"}}, provider, "the worker died before serving (signal 11 (SIGSEGV) in "
                                                      "ndk_provider_entry(1)"},
        {{}, "/nonexistent/libnothing.so", "cannot load the provider library"},
        {{}, "libz.so.1", "exports no ndk_provider_entry"},
    };
    for (const Bad& b : cases) {
        Agent a;
        CHECK(!a.start({}, b.env, b.lib), "it served " << b.lib << " (" << (b.env.empty() ? "" : b.env.begin()->second)
                                                       << "): " << a.out());
        auto st = a.wait(milliseconds(10000));
        CHECK(st.has_value(), "it did not exit");
        CHECK(WIFEXITED(*st) && WEXITSTATUS(*st) == 2, "exit status " << *st << " for " << b.says);
        std::string log = a.log();
        std::vector<std::string> lines;
        std::istringstream in(log);
        for (std::string l; std::getline(in, l);) {
            if (!l.empty()) {
                lines.push_back(l);
            }
        }
        CHECK(lines.size() == 1, "expected one line, got:\n" << log);
        CHECK(contains(lines[0], b.says), "'" << lines[0] << "' does not say '" << b.says << "'");
        CHECK(lines[0].rfind("ndk-agent-native: ", 0) == 0, lines[0]);
        printf("  refused as expected: %s\n", lines[0].c_str());
    }
    // A usage error is exit 2 too.
    Agent a;
    CHECK(!a.start({"--listen"}), "it served with a bad --listen");
    auto st = a.wait(milliseconds(5000));
    CHECK(st && WIFEXITED(*st) && WEXITSTATUS(*st) == 2, "exit status for a usage error");
}

// Versions, identities, one session at a time, and each way open_testbed can answer.
void hello() {
    Served sv({"-s", "completion=inline"});
    Agent& a = sv.agent;
    Client& c = *sv.client;
    wire::HelloReply r;
    wire::HelloRequest none;
    none.set_client("no version");
    expect_error(c.hello(none, &r), grpc::StatusCode::FAILED_PRECONDITION, {"ndk.wire.v0.0", "ndk.wire.v1.3"});
    wire::HelloRequest two = Client::request();
    *two.mutable_wire_version() = version(2, 3);
    two.mutable_open()->set_connect_timeout_ms(1000);
    expect_error(c.hello(two, &r), grpc::StatusCode::FAILED_PRECONDITION, {"ndk.wire.v2.3", "ndk.wire.v1.3"});
    wire::HelloRequest newer = Client::request();
    *newer.mutable_wire_version() = version(1, 7);
    CHECK(c.hello(newer, &r).ok(), "hello 1.7");
    CHECK(r.wire_version().major() == 1 && r.wire_version().minor() == 3, r.ShortDebugString());
    CHECK(r.supervised(), "served by a worker under a supervisor: " << r.ShortDebugString());
    CHECK(r.agent().name() == "ndk-agent-native", r.agent().name());
    CHECK(r.agent().runtime().rfind("c++ grpc 1.", 0) == 0, r.agent().runtime());
    CHECK(!r.agent().host().empty() && !r.agent().version().empty(), r.agent().ShortDebugString());
    CHECK(r.provider().name() == "abi-test" && r.provider().version() == "0.1.0" && r.provider().vendor() == "ndkkit",
          r.provider().ShortDebugString());
    CHECK(r.capabilities_size() == 1 && r.capabilities(0) == wire::PROVIDER_CAPABILITY_IPV4, r.ShortDebugString());
    CHECK(r.testbed_result_case() == wire::HelloReply::TESTBED_RESULT_NOT_SET, r.ShortDebugString());

    wire::HelloReply s = c.session();
    const wire::TestbedFacts& f = s.testbed();
    CHECK(f.session() != 0 && f.local().adapter().handle() != 0, f.ShortDebugString());
    CHECK(f.local().adapter().type() == wire::OBJECT_TYPE_ADAPTER, f.ShortDebugString());
    CHECK(f.local().adapter().handle() != f.peer().adapter().handle(), "one handle for both adapters");
    CHECK(f.local().adapter_info().vendor_id() == 0x1AB && f.local().adapter_info().max_callee_data() == 64,
          f.local().adapter_info().ShortDebugString());
    CHECK(f.local().adapter_info().rdma_technology() == wire::RDMA_TECHNOLOGY_ROCE_V2, "rdma technology");
    CHECK(f.local().addresses_size() == 2 && f.peer().addresses_size() == 1, f.ShortDebugString());
    CHECK(f.local().addresses(0) == std::string("\xC0\x00\x02\x01", 4), "local address");
    CHECK(f.connect_timeout_ms() == 1500 && f.four_tuple_release_delay_ms() == 250, f.ShortDebugString());
    const auto& id = f.identity();
    CHECK(id.count("test.provider") && id.at("test.provider") == "abi-test", f.ShortDebugString());
    CHECK(id.count("agent.provider-file") && id.at("agent.provider-file") == "libndk-abi-test-provider.so",
          f.ShortDebugString());
    CHECK(id.count("agent.provider-sha256") && id.at("agent.provider-sha256").size() == 64, f.ShortDebugString());
    CHECK(id.count("test.completion") && id.at("test.completion") == "inline", "the agent's -s default reached it");
    CHECK(!id.count("agent.last-crash"), "a crash fact without a crash");

    // one session at a time; an identity-only hello still answers
    wire::HelloReply busy;
    expect_error(c.open({}, &busy), grpc::StatusCode::FAILED_PRECONDITION,
                 {"agent busy", "session " + std::to_string(session_of(s))});
    CHECK(c.hello(Client::request(), &r).ok() && r.provider().name() == "abi-test", "identity hello while busy");
    still_serves(c, s);
    c.goodbye(session_of(s));
    expect_error(c.error([&] {
                     wire::Call q = c.call(session_of(s));
                     *q.mutable_query_adapter_info()->mutable_adapter() = arg(adapter_of(s));
                     return q;
                 }()),
                 grpc::StatusCode::NOT_FOUND, {std::to_string(session_of(s))});

    // two opens at once give one session and one "agent busy"
    for (int round = 0; round < 10; round++) {
        std::promise<void> go;
        std::shared_future<void> start = go.get_future().share();
        auto one = [&c, start] {
            start.wait();
            wire::HelloReply got;
            grpc::Status st = c.open({}, &got);
            return st.ok() ? session_of(got) : 0;
        };
        auto x = std::async(std::launch::async, one);
        auto y = std::async(std::launch::async, one);
        go.set_value();
        uint64_t sx = x.get(), sy = y.get();
        CHECK((sx == 0) != (sy == 0), "round " << round << ": sessions " << sx << " and " << sy);
        c.goodbye(sx != 0 ? sx : sy);
    }

    // bytes that are no protobuf message get a gRPC error, and the agent goes on
    grpc::GenericStub raw(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(a.port()), grpc::InsecureChannelCredentials()));
    for (const std::string& garbage : {std::string("\x0A\xFF\xFF\x01\x02", 5), std::string(11, '\xFF')}) {
        grpc::Slice slice(garbage);
        grpc::ByteBuffer request(&slice, 1), response;
        grpc::ClientContext ctx;
        std::promise<grpc::Status> done;
        raw.UnaryCall(&ctx, "/ndk.wire.v1.NdkAgent/Invoke", grpc::StubOptions(), &request, &response,
                      [&done](grpc::Status st) { done.set_value(st); });
        grpc::Status st = done.get_future().get();
        CHECK(!st.ok(), "garbage got a reply");
        CHECK(c.hello(Client::request(), &r).ok(), "the agent still answers");
    }

    // each way open_testbed answers besides a testbed; none leaves a session behind
    struct Open {
        std::string misbehave;
        wire::HelloReply::TestbedResultCase result;
        std::string says;
    };
    for (const Open& o : std::vector<Open>{
             {"not-implemented", wire::HelloReply::kTestbedNotImplemented, "told to be a skeleton"},
             {"unavailable", wire::HelloReply::kTestbedUnavailable, "told to be unavailable"},
             {"open-result", wire::HelloReply::kOpenThrew, "open_testbed returned 7"},
             {"open-null", wire::HelloReply::kOpenThrew, "NDK_TESTBED_OPENED with a NULL testbed"},
             {"null-adapter", wire::HelloReply::kOpenThrew, "testbed_adapter(LOCAL) returned NULL"}}) {
        wire::HelloReply got;
        CHECK(c.open({{"misbehave", o.misbehave}}, &got).ok(), o.misbehave);
        CHECK(got.testbed_result_case() == o.result, o.misbehave << ": " << got.ShortDebugString());
        CHECK(contains(got.ShortDebugString(), o.says), o.misbehave << ": " << got.ShortDebugString());
        wire::HelloReply next = c.session();
        c.goodbye(session_of(next));
    }
}

// Every message the agent refuses gets the gRPC error the contract names, and the session goes on.
void wire_errors() {
    Served sv;
    Client& c = *sv.client;
    wire::HelloReply r = c.session();
    const uint64_t s = session_of(r);
    auto q = [&] { return c.call(s); };

    wire::Call unknown_session = c.call(s + 1000000);
    *unknown_session.mutable_query_adapter_info()->mutable_adapter() = arg(adapter_of(r));
    expect_error(c.error(unknown_session), grpc::StatusCode::NOT_FOUND, {std::to_string(s + 1000000), "session"});

    wire::Call bogus = q();
    *bogus.mutable_query_adapter_info()->mutable_adapter() = arg(987654321);
    expect_error(c.error(bogus), grpc::StatusCode::INVALID_ARGUMENT, {"unknown handle 987654321"});
    uint64_t pd = create_pd(c, r);
    wire::Call qp = q();
    *qp.mutable_create_qp()->mutable_pd() = arg(pd);
    *qp.mutable_create_qp()->mutable_receive_cq() = arg(987654321);
    expect_error(c.error(qp), grpc::StatusCode::INVALID_ARGUMENT, {"receive_cq", "987654321"});
    wire::Call null_adapter = q();
    null_adapter.mutable_query_adapter_info();
    expect_error(c.error(null_adapter), grpc::StatusCode::INVALID_ARGUMENT, {"adapter", "must be a handle"});
    wire::Call wrong = q();
    *wrong.mutable_query_adapter_info()->mutable_adapter() = arg(pd);
    expect_error(c.error(wrong), grpc::StatusCode::INVALID_ARGUMENT,
                 {"handle " + std::to_string(pd), "NdkPd", "not a NdkAdapter"});
    wire::Call adapter_as_pd = q();
    *adapter_as_pd.mutable_create_qp()->mutable_pd() = arg(adapter_of(r));
    expect_error(c.error(adapter_as_pd), grpc::StatusCode::INVALID_ARGUMENT, {"not a NdkPd"});
    wire::Call no_op = q();
    expect_error(c.error(no_op), grpc::StatusCode::UNIMPLEMENTED, {"call " + std::to_string(no_op.call_id())});
    // v1.4's AwaitQuiescence, which a client sends only to an agent that said v1.4: refused, nothing else happens
    wire::Call quiescence = q();
    quiescence.mutable_await_quiescence()->set_timeout_ms(1000);
    expect_error(c.error(quiescence), grpc::StatusCode::UNIMPLEMENTED,
                 {"call " + std::to_string(quiescence.call_id()), "await_quiescence", "no quiescence"});
    wire::Call three = q();
    three.mutable_exhaust_ephemeral_ports()->set_local_ip(std::string("\xC6\x12\x00", 3));
    expect_error(c.error(three), grpc::StatusCode::INVALID_ARGUMENT, {"local_ip", "4 or 16", "3"});
    wire::Call no_host = q();
    no_host.mutable_exhaust_resources();
    expect_error(c.error(no_host), grpc::StatusCode::INVALID_ARGUMENT, {"HOST_LOCAL or HOST_PEER", "HOST_UNSPECIFIED"});
    wire::Call no_condition = q();
    no_condition.mutable_lab_address();
    expect_error(c.error(no_condition), grpc::StatusCode::INVALID_ARGUMENT, {"unknown lab condition"});
    wire::Call which = q();
    *which.mutable_get_address()->mutable_object() = arg(pd);
    expect_error(c.error(which), grpc::StatusCode::INVALID_ARGUMENT, {"WHICH_LOCAL or WHICH_PEER"});
    wire::Call pd_address = q();
    *pd_address.mutable_get_address()->mutable_object() = arg(pd);
    pd_address.mutable_get_address()->set_which(wire::GetAddress::WHICH_LOCAL);
    expect_error(c.error(pd_address), grpc::StatusCode::INVALID_ARGUMENT, {"has no local address"});
    wire::Call close_adapter_as_object = q();
    *close_adapter_as_object.mutable_close_object()->mutable_object() = arg(adapter_of(r));
    expect_error(c.error(close_adapter_as_object), grpc::StatusCode::INVALID_ARGUMENT,
                 {"NdkAdapter", "not a NdkObject"});
    still_serves(c, r);

    // a callback id keeps its kind
    wire::Call close_with_create_id = q();
    *close_with_create_id.mutable_close_object()->mutable_object() = arg(pd);
    close_with_create_id.mutable_close_object()->set_completion(1);
    expect_error(c.error(close_with_create_id), grpc::StatusCode::INVALID_ARGUMENT,
                 {"callback id 1 was given before as a CreateCompletion, now as a CloseCompletion"});

    // a closed object is not passed to the provider again (it may have freed it)
    wire::Call close = q();
    *close.mutable_close_object()->mutable_object() = arg(pd);
    close.mutable_close_object()->set_completion(2);
    CHECK(c.ok(close).ntstatus() == 0, "close");
    wire::Call after_close = q();
    *after_close.mutable_create_qp()->mutable_pd() = arg(pd);
    expect_error(c.error(after_close), grpc::StatusCode::INVALID_ARGUMENT,
                 {"pd: handle " + std::to_string(pd), "was closed"});
    // a foreign object's close is answered by that object: STATUS_INVALID_HANDLE
    wire::Call foreign_close = q();
    foreign_close.mutable_close_object()->mutable_object()->set_foreign(true);
    CHECK(c.ok(foreign_close).ntstatus() == 0xC0000008, "foreign close");
    // a foreign QP as an argument reaches the provider, which says what it says
    uint64_t cq = [&] {
        wire::Call m = q();
        *m.mutable_create_cq()->mutable_adapter() = arg(adapter_of(r));
        return c.ok(m).created().object().handle();
    }();
    uint64_t pd2 = create_pd(c, r);
    wire::Call foreign_cq = q();
    *foreign_cq.mutable_create_qp()->mutable_pd() = arg(pd2);
    *foreign_cq.mutable_create_qp()->mutable_receive_cq() = arg(cq);
    foreign_cq.mutable_create_qp()->mutable_initiator_cq()->set_foreign(true);
    CHECK(c.ok(foreign_cq).created().ntstatus() == 0xC000000D, "a foreign CQ");

    // the testbed's offers
    wire::Call ports = q();
    ports.mutable_exhaust_ephemeral_ports()->set_local_ip(r.testbed().local().addresses(0));
    wire::CallReply held = c.ok(ports);
    CHECK(held.exhaustion_availability().exhaustion() != 0, held.ShortDebugString());
    CHECK(held.exhaustion_availability().method() == wire::EXHAUSTION_METHOD_INJECTED, held.ShortDebugString());
    CHECK(contains(held.exhaustion_availability().description(), "pretends"), held.ShortDebugString());
    wire::Call release = q();
    release.mutable_release_exhaustion()->set_exhaustion(held.exhaustion_availability().exhaustion());
    CHECK(c.ok(release).has_done(), "release");
    wire::Call again = q();
    again.mutable_release_exhaustion()->set_exhaustion(held.exhaustion_availability().exhaustion());
    expect_error(c.error(again), grpc::StatusCode::INVALID_ARGUMENT, {"released already"});
    wire::Call release_pd = q();
    release_pd.mutable_release_exhaustion()->set_exhaustion(pd2);
    expect_error(c.error(release_pd), grpc::StatusCode::INVALID_ARGUMENT, {"NdkPd", "not a ResourceExhaustion"});
    wire::Call resources = q();
    resources.mutable_exhaust_resources()->set_host(wire::HOST_PEER);
    CHECK(c.ok(resources).exhaustion_availability().exhaustion() != 0, "exhaust resources");
    wire::Call lift = q();
    lift.mutable_lift_condition()->set_condition(wire::LAB_CONDITION_SILENT_HOST);
    wire::CallReply lifted = c.ok(lift);
    CHECK(lifted.exhaustion_availability().unavailable().reason_code() == "cannot-lift-condition" &&
              contains(lifted.exhaustion_availability().unavailable().detail(), "SILENT_HOST"),
          lifted.ShortDebugString());
    wire::Call limits = q();
    limits.mutable_qp_limits();
    wire::CallReply no_limits = c.ok(limits);
    CHECK(no_limits.qp_limits_availability().unavailable().reason_code() == "no-qp-attributes",
          no_limits.ShortDebugString());
    wire::Call counts = q();
    counts.mutable_resource_counts();
    wire::CallReply counted = c.ok(counts);
    CHECK(counted.counts_availability().counts().counts().at("objects") == 2, counted.ShortDebugString());
    wire::Call backlog = q();
    backlog.mutable_listener_backlog();
    CHECK(c.ok(backlog).count_availability().count() == 8, "backlog");
    wire::Call lab = q();
    lab.mutable_lab_address()->set_condition(wire::LAB_CONDITION_NO_LISTENER);
    wire::CallReply address = c.ok(lab);
    CHECK(address.address_availability().address().length() == 16 &&
              address.address_availability().address().bytes().size() == 16, address.ShortDebugString());
    lab.set_call_id(q().call_id());
    lab.mutable_lab_address()->set_condition(wire::LAB_CONDITION_SILENT_HOST);
    CHECK(c.ok(lab).address_availability().unavailable().reason_code() == "no-test-lab", "unavailable address");
    wire::Call close_adapter = q();
    *close_adapter.mutable_close_adapter()->mutable_adapter() = arg(r.testbed().peer().adapter().handle());
    CHECK(c.ok(close_adapter).has_done(), "close_adapter");
    still_serves(c, r);

    // a handle of an ended session names that session; handles are never reused
    c.goodbye(s);
    wire::HelloReply second = c.session();
    CHECK(session_of(second) > s && adapter_of(second) != adapter_of(r), "new numbers");
    for (uint64_t h : {adapter_of(r), pd2}) {
        wire::Call old = c.call(session_of(second));
        *old.mutable_query_adapter_info()->mutable_adapter() = arg(h);
        expect_error(c.error(old), grpc::StatusCode::INVALID_ARGUMENT,
                     {"handle " + std::to_string(h), "belongs to session " + std::to_string(s)});
    }
    still_serves(c, second);
}

// Lengths that disagree with their buffers reach the provider, which sees readable (and writable)
// memory up to the declared length; only the consumer's bytes come back. Nothing crashes.
void buffers() {
    Served sv;
    Client& c = *sv.client;
    wire::HelloReply r = c.session();
    const uint64_t s = session_of(r);
    wire::Call mk = c.call(s);
    *mk.mutable_create_connector()->mutable_adapter() = arg(adapter_of(r));
    uint64_t k = c.ok(mk).created().object().handle();
    struct Reject {
        std::optional<std::string> bytes;
        uint32_t declared;
        uint32_t status;
    };
    for (const Reject& x : std::vector<Reject>{
             {std::string("\x01\x02", 2), 100, 0xC000000D},      // 2 bytes declared 100: over MaxCalleeData
             {std::nullopt, 5, 0xC000000D},                      // a NULL buffer with a length
             {std::string(4, '\x07'), 0xFFFFFFFFu, 0xC000000D},  // 4 bytes declared 2^32-1
             {std::string(2, '\x07'), 60, 0xC000023A},           // 2 bytes declared 60: within the limit
             {std::string(2, '\x07'), 2, 0xC000023A}}) {
        wire::Call q = c.call(s);
        *q.mutable_reject()->mutable_connector() = arg(k);
        if (x.bytes) {
            q.mutable_reject()->set_private_data(*x.bytes);
        }
        q.mutable_reject()->set_private_data_length(x.declared);
        wire::CallReply reply = c.ok(q);
        CHECK(reply.ntstatus() == x.status, "reject declared " << x.declared << ": " << reply.ShortDebugString());
    }
    // an address one byte past its buffer, and one shorter than SOCKADDR_IN
    for (uint32_t len : {17u, 15u, 0u}) {
        wire::Call q = c.call(s);
        *q.mutable_create_shared_endpoint()->mutable_adapter() = arg(adapter_of(r));
        *q.mutable_create_shared_endpoint()->mutable_local_address() = v4(192, 0, 2, 1, 0, len);
        CHECK(c.ok(q).created().ntstatus() == 0xC0000141, "shared endpoint with length " << len);
    }
    wire::Call se_call = c.call(s);
    *se_call.mutable_create_shared_endpoint()->mutable_adapter() = arg(adapter_of(r));
    *se_call.mutable_create_shared_endpoint()->mutable_local_address() = v4(192, 0, 2, 1, 0);
    uint64_t se = c.ok(se_call).created().object().handle();
    CHECK(se != 0, "shared endpoint");
    auto address = [&](std::optional<std::string> buf, std::optional<uint32_t> len) {
        wire::Call q = c.call(s);
        auto* g = q.mutable_get_address();
        *g->mutable_object() = arg(se);
        g->set_which(wire::GetAddress::WHICH_LOCAL);
        if (buf) {
            g->set_address(*buf);
        }
        if (len) {
            g->set_address_length(*len);
        }
        return c.ok(q);
    };
    // 4 bytes sent, the cell says 64: the provider writes 16, the consumer's 4 come back
    wire::CallReply got = address(std::string(4, '\0'), 64);
    CHECK(got.address().ntstatus() == 0 && got.address().address_length() == 16, got.ShortDebugString());
    CHECK(got.address().address().size() == 4 && got.address().address()[0] == 2, got.ShortDebugString());
    got = address(std::nullopt, 0u);
    CHECK(got.address().ntstatus() == 0xC0000023 && got.address().address_length() == 16 &&
              !got.address().has_address(), got.ShortDebugString());
    got = address(std::string(16, '\0'), std::nullopt);
    CHECK(got.address().ntstatus() == 0xC000000D && !got.address().has_address_length(), got.ShortDebugString());
    got = address(std::string(128, '\x33'), 128u);
    CHECK(got.address().ntstatus() == 0 && got.address().address().size() == 128 &&
              got.address().address()[20] == '\x33', "what the provider left unwritten comes back unchanged");
    got = address(std::string(2, '\0'), 0xFFFFFFFFu);
    CHECK(got.address().ntstatus() == 0 && got.address().address().size() == 2, got.ShortDebugString());

    auto data = [&](std::optional<std::string> buf, std::optional<uint32_t> len, bool limits) {
        wire::Call q = c.call(s);
        auto* g = q.mutable_get_connection_data();
        *g->mutable_connector() = arg(k);
        if (buf) {
            g->set_private_data(*buf);
        }
        if (len) {
            g->set_private_data_length(*len);
        }
        if (limits) {
            g->set_inbound_read_limit(77);
            g->set_outbound_read_limit(78);
        }
        return c.ok(q);
    };
    got = data(std::string(3, '\x09'), 3u, false);
    CHECK(got.connection_data().ntstatus() == 0xC0000023 && got.connection_data().private_data_length() == 8 &&
              got.connection_data().private_data() == std::string(3, '\x09') &&
              !got.connection_data().has_inbound_read_limit(), got.ShortDebugString());
    got = data(std::string(4, '\0'), 64u, true);
    CHECK(got.connection_data().ntstatus() == 0 &&
              got.connection_data().private_data() == std::string("\x01\x02\x03\x04") &&
              got.connection_data().inbound_read_limit() == 4 && got.connection_data().outbound_read_limit() == 5,
          got.ShortDebugString());
    got = data(std::nullopt, 0u, false);
    CHECK(got.connection_data().ntstatus() == 0 && got.connection_data().private_data_length() == 8,
          got.ShortDebugString());
    still_serves(c, r);
    c.goodbye(s);

    // a provider that writes past what its length cell allowed is reported, and the agent serves on
    wire::HelloReply o = c.session({{"misbehave", "overrun"}});
    wire::Call se2 = c.call(session_of(o));
    *se2.mutable_create_shared_endpoint()->mutable_adapter() = arg(adapter_of(o));
    *se2.mutable_create_shared_endpoint()->mutable_local_address() = v4(192, 0, 2, 1, 0);
    uint64_t h = c.ok(se2).created().object().handle();
    wire::Call g = c.call(session_of(o));
    *g.mutable_get_address()->mutable_object() = arg(h);
    g.mutable_get_address()->set_which(wire::GetAddress::WHICH_LOCAL);
    g.mutable_get_address()->set_address(std::string(16, '\0'));
    g.mutable_get_address()->set_address_length(16);
    wire::CallReply over = c.ok(g);
    CHECK(over.provider_threw().type() == "buffer-overrun" &&
              contains(over.provider_threw().message(), "get_local_address"), over.ShortDebugString());
    still_serves(c, o);
}

// A provider that returns garbage gets a provider error in the reply, never a crash.
void garbage() {
    Served sv;
    Client& c = *sv.client;
    struct Bad {
        std::string misbehave, type, says;
    };
    const std::vector<Bad> bad = {
        {"null-object", "null-object", "create_pd returned STATUS_SUCCESS with a NULL object"},
        {"bad-type", "bad-object-type", "object_type is 99"},
        {"wrong-type", "wrong-object-type", "of type CQ (3), not PD (6)"}};
    for (const Bad& b : bad) {
        wire::HelloReply r = c.session({{"misbehave", b.misbehave}});
        wire::Call q = c.call(session_of(r));
        *q.mutable_create_pd()->mutable_adapter() = arg(adapter_of(r));
        wire::CallReply reply = c.ok(q);
        CHECK(reply.provider_threw().type() == b.type && contains(reply.provider_threw().message(), b.says),
              b.misbehave << ": " << reply.ShortDebugString());
        CHECK(reply.call_id() == q.call_id() && reply.agent_returned_nanos() >= reply.agent_started_nanos(),
              reply.ShortDebugString());
        still_serves(c, r);
        c.goodbye(session_of(r));
    }
}

// Callbacks: numbered, marked with the call they ran inside, held until their return, nested calls
// run on the held thread; the stream's own errors end it and the session.
void callbacks() {
    Served sv;
    Agent& a = sv.agent;
    Client& c = *sv.client;

    // a pending completion, made before the stream attached, arrives once it does
    wire::HelloReply r = c.session({{"completion", "pending"}});
    uint64_t s = session_of(r);
    wire::Call mk = c.call(s);
    *mk.mutable_create_connector()->mutable_adapter() = arg(adapter_of(r));
    mk.mutable_create_connector()->set_completion(7);
    mk.mutable_create_connector()->mutable_context()->set_id(1007);
    CHECK(c.ok(mk).created().ntstatus() == 0x103, "pending");
    // a first message that is no attach ends that stream only
    {
        Stream bad(c);
        bad.send(s, 1);
        expect_error(bad.end(), grpc::StatusCode::INVALID_ARGUMENT, {"seq 0", "callback 1"});
    }
    auto stream = attach(c, s);
    wire::Callback cb = stream->next();
    CHECK(cb.seq() == 1 && cb.session() == s && cb.in_call() == 0, cb.ShortDebugString());
    CHECK(cb.create_completed().completion() == 7 && cb.create_completed().context().id() == 1007 &&
              cb.create_completed().ntstatus() == 0 &&
              cb.create_completed().object().type() == wire::OBJECT_TYPE_CONNECTOR &&
              cb.create_completed().object().handle() != 0, cb.ShortDebugString());
    {
        Stream second(c);
        second.send(s, 0);
        expect_error(second.end(), grpc::StatusCode::FAILED_PRECONDITION, {"already has its callback stream"});
    }
    stream->send(s, 1);
    stream->send(s, 1);  // again: logged and ignored
    CHECK(a.log_has("callback 1 of session " + std::to_string(s) + " is not waiting (it already returned or timed "
                    "out); ignored"), a.log());
    // a request completion with its context
    wire::Call conn = c.call(s);
    *conn.mutable_connect()->mutable_connector() = arg(cb.create_completed().object().handle());
    *conn.mutable_connect()->mutable_source() = v4(192, 0, 2, 1, 0);
    *conn.mutable_connect()->mutable_destination() = v4(192, 0, 2, 2, 9);
    conn.mutable_connect()->set_completion(8);
    conn.mutable_connect()->mutable_context()->set_id(1008);
    CHECK(c.ok(conn).ntstatus() == 0x103, "connect pending");
    cb = stream->next();
    CHECK(cb.seq() == 2 && cb.request_completed().completion() == 8 && cb.request_completed().context().id() == 1008 &&
              cb.request_completed().ntstatus() == 0xC0000236, cb.ShortDebugString());
    stream->send(s, 2);
    // a close completion; the closed handle is not passed on afterwards
    wire::Call close = c.call(s);
    *close.mutable_close_object()->mutable_object() = conn.connect().connector();
    close.mutable_close_object()->set_completion(9);
    CHECK(c.ok(close).ntstatus() == 0x103, "close pending");
    cb = stream->next();
    CHECK(cb.seq() == 3 && cb.close_completed().completion() == 9 && cb.close_completed().context().id() == 0,
          cb.ShortDebugString());
    stream->send(s, 3);
    // a return for a callback never sent ends the stream and the session
    stream->send(s, 5);
    expect_error(stream->end(), grpc::StatusCode::INVALID_ARGUMENT, {"no callback 5", "last sent: 3"});
    auto deadline = steady_clock::now() + std::chrono::seconds(5);
    while (true) {
        wire::Call q = c.call(s);
        *q.mutable_query_adapter_info()->mutable_adapter() = arg(adapter_of(r));
        wire::CallReply reply;
        grpc::Status st = c.invoke(q, &reply);
        if (!st.ok()) {
            expect_error(st, grpc::StatusCode::NOT_FOUND, {std::to_string(s)});
            break;
        }
        CHECK(steady_clock::now() < deadline, "the session outlived its stream");
        std::this_thread::sleep_for(milliseconds(20));
    }

    // a completion inside the call: seen before the call's reply, marked with it; a call made by the
    // handler runs on the provider thread held in the callback
    r = c.session_once_free({{"completion", "in-call"}});
    s = session_of(r);
    stream = attach(c, s);
    wire::Call outer = c.call(s);
    *outer.mutable_create_connector()->mutable_adapter() = arg(adapter_of(r));
    outer.mutable_create_connector()->set_completion(11);
    auto outer_reply = std::async(std::launch::async, [&c, outer] { return c.ok(outer); });
    wire::Callback first = stream->next();
    CHECK(first.in_call() == outer.call_id() && first.create_completed().completion() == 11, first.ShortDebugString());
    CHECK(outer_reply.wait_for(milliseconds(300)) == std::future_status::timeout, "the call returned before its "
                                                                                  "in-call callback did");
    wire::Call nested = c.call(s);
    nested.set_within_callback(first.seq());
    *nested.mutable_create_pd()->mutable_adapter() = arg(adapter_of(r));
    nested.mutable_create_pd()->set_completion(12);
    auto nested_reply = std::async(std::launch::async, [&c, nested] { return c.ok(nested); });
    wire::Callback inner = stream->next();
    CHECK(inner.in_call() == nested.call_id() && inner.thread() == first.thread(),
          "the nested call ran on the held thread: " << inner.ShortDebugString() << " / " << first.ShortDebugString());
    stream->send(s, inner.seq());
    wire::CallReply nr = nested_reply.get();
    CHECK(nr.created().ntstatus() == 0x103 && nr.callbacks_before_return() >= inner.seq(), nr.ShortDebugString());
    stream->send(s, first.seq());
    wire::CallReply orr = outer_reply.get();
    CHECK(orr.created().ntstatus() == 0x103 && orr.callbacks_before_return() >= 2, orr.ShortDebugString());
    // Goodbye completes the stream
    c.goodbye(s);
    CHECK(stream->end().ok(), "the stream completed");
}

// A completion twice, and one with a context the provider was never given, are passed on as they came
// (the kit judges them); a client that ends its stream frees the agent.

void callbacks_misbehaving() {
    Served sv;
    Client& c = *sv.client;
    wire::HelloReply r = c.session({{"completion", "pending"}, {"misbehave", "double-completion"}});
    uint64_t s = session_of(r);
    auto stream = attach(c, s);
    wire::Call q = c.call(s);
    *q.mutable_create_pd()->mutable_adapter() = arg(adapter_of(r));
    q.mutable_create_pd()->set_completion(21);
    CHECK(c.ok(q).created().ntstatus() == 0x103, "pending");
    wire::Callback one = stream->next();
    stream->send(s, one.seq());
    wire::Callback two = stream->next();
    CHECK(one.create_completed().completion() == 21 && two.create_completed().completion() == 21 &&
              two.seq() == one.seq() + 1 &&
              two.create_completed().object().handle() == one.create_completed().object().handle(),
          "the provider's second completion is passed on as it came: " << two.ShortDebugString());
    stream->send(s, two.seq());
    c.goodbye(s);
    CHECK(stream->end().ok(), "stream");

    r = c.session({{"completion", "pending"}, {"misbehave", "foreign-context"}});
    s = session_of(r);
    stream = attach(c, s);
    q = c.call(s);
    *q.mutable_create_pd()->mutable_adapter() = arg(adapter_of(r));
    q.mutable_create_pd()->set_completion(22);
    q.mutable_create_pd()->mutable_context()->set_id(2022);
    CHECK(c.ok(q).created().ntstatus() == 0x103, "pending");
    wire::Callback f = stream->next();
    CHECK(f.create_completed().context().foreign() &&
              contains(f.create_completed().context().foreign_text(), "never gave"), f.ShortDebugString());
    stream->send(s, f.seq());

    // a client that half-closes its stream (or cancels it) is gone: the agent serves the next
    wire::HelloReply busy;
    expect_error(c.open({}, &busy), grpc::StatusCode::FAILED_PRECONDITION, {"busy"});
    stream->half_close();
    CHECK(stream->end().ok(), "the agent completes a half-closed stream");
    wire::HelloReply next = c.session_once_free({{"completion", "pending"}});
    auto s2 = attach(c, session_of(next));
    wire::Call held = c.call(session_of(next));
    *held.mutable_create_cq()->mutable_adapter() = arg(adapter_of(next));
    held.mutable_create_cq()->set_completion(3);
    CHECK(c.ok(held).created().ntstatus() == 0x103, "pending");
    CHECK(s2->next().create_completed().completion() == 3, "callback");  // never returned: the provider is held
    s2->cancel();
    wire::HelloReply last = c.session_once_free();
    still_serves(c, last);
}

// A provider that crashes the worker is reported with where it crashed; the agent serves again on the
// same port, and the next session's facts name the crash.
void crash() {
    Served sv({"-s", "crash-in=create_pd"});
    Agent& a = sv.agent;
    Client& c = *sv.client;
    wire::HelloReply r = c.session();
    uint64_t s = session_of(r);
    auto stream = attach(c, s);
    still_serves(c, r);
    wire::Call q = c.call(s);
    *q.mutable_create_pd()->mutable_adapter() = arg(adapter_of(r));
    wire::CallReply reply;
    grpc::Status st = c.invoke(q, &reply);
    CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE, "the call in the crash: " << st.error_code() << " "
                                                                                      << st.error_message());
    CHECK(!stream->end().ok(), "the stream broke");
    const std::string where = "in call " + std::to_string(q.call_id()) + " (create_pd) of session " + std::to_string(s);
    CHECK(a.log_has("failed (crashed): "), a.log());
    CHECK(contains(a.log(), where), "the log names the call: " << a.log());
    bool signal_named = contains(a.log(), "signal 11 (SIGSEGV) " + where);
    printf("  logged: %s\n", a.log().substr(a.log().find("failed (crashed)")).c_str());

    wire::HelloReply again = c.session_once_free();
    CHECK(session_of(again) > s, "a new session number");
    const auto& id = again.testbed().identity();
    CHECK(id.count("agent.worker-restarts") && id.at("agent.worker-restarts") == "1", again.ShortDebugString());
    CHECK(id.count("agent.last-crash") && contains(id.at("agent.last-crash"), "create_pd"), again.ShortDebugString());
    wire::Call old = c.call(s);
    *old.mutable_query_adapter_info()->mutable_adapter() = arg(adapter_of(r));
    expect_error(c.error(old), grpc::StatusCode::NOT_FOUND, {std::to_string(s)});
    still_serves(c, again);
    c.goodbye(session_of(again));

    // abort() in a call, and a fault on a provider thread outside any call
    r = c.session_once_free({{"crash-in", ""}, {"abort-in", "create_cq"}});
    q = c.call(session_of(r));
    *q.mutable_create_cq()->mutable_adapter() = arg(adapter_of(r));
    CHECK(!c.invoke(q, &reply).ok(), "the call in the abort");
    CHECK(a.log_has("(create_cq) of session " + std::to_string(session_of(r))), a.log());
    r = c.session_once_free({{"crash-in", ""}, {"completion", "pending"}, {"crash-on-thread", "create_connector"}});
    stream = attach(c, session_of(r));
    q = c.call(session_of(r));
    *q.mutable_create_connector()->mutable_adapter() = arg(adapter_of(r));
    q.mutable_create_connector()->set_completion(1);
    CHECK(c.ok(q).created().ntstatus() == 0x103, "pending");
    CHECK(!stream->end().ok(), "the stream broke");
    CHECK(a.log_has("(the last call begun: call " + std::to_string(q.call_id()) + " (create_connector)"), a.log());
    if (signal_named) {
        CHECK(contains(a.log(), "signal 6 (SIGABRT) in call"), a.log());
        CHECK(contains(a.log(), "signal 11 (SIGSEGV) on a provider thread, outside any call"), a.log());
    }
    wire::HelloReply last = c.session_once_free({{"crash-in", ""}});
    CHECK(last.testbed().identity().at("agent.worker-restarts") == "3", last.ShortDebugString());
    still_serves(c, last);
    a.signal(SIGTERM);
    auto exit = a.wait(milliseconds(20000));
    CHECK(exit && WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0, "exit after SIGTERM");
}

// SessionEnd (v1.3): the open session is RUNNING, one that ended CLOSED, one the agent never had
// UNKNOWN; after the provider crashed the worker, the new worker answers CRASHED for the lost
// session with the supervisor's words, the call and the provider function (or, for a fault on a
// provider thread, the session that was open, outside any call). Asking has no side effect, and
// an agent without a supervisor says so at Hello.
void session_end() {
    Served sv({"-s", "crash-in=create_pd"});
    Agent& a = sv.agent;
    Client& c = *sv.client;
    wire::HelloReply plain;
    CHECK(c.hello(Client::request(), &plain).ok(), "hello");
    CHECK(plain.supervised(), "a supervised agent says so: " << plain.ShortDebugString());
    wire::HelloReply r = c.session();
    uint64_t s = session_of(r);
    auto stream = attach(c, s);
    wire::SessionEndReply e;
    CHECK(c.session_end(s, &e).ok() && e.state() == wire::SESSION_STATE_RUNNING, e.ShortDebugString());
    CHECK(c.session_end(s + 1000, &e).ok() && e.state() == wire::SESSION_STATE_UNKNOWN, e.ShortDebugString());
    CHECK(c.session_end(0, &e).ok() && e.state() == wire::SESSION_STATE_UNKNOWN, e.ShortDebugString());
    still_serves(c, r);  // asking did nothing to the session

    wire::Call q = c.call(s);
    *q.mutable_create_pd()->mutable_adapter() = arg(adapter_of(r));
    wire::CallReply reply;
    CHECK(c.invoke(q, &reply).error_code() == grpc::StatusCode::UNAVAILABLE, "the call in the crash");
    auto t0 = steady_clock::now();
    e = c.session_end_once_answered(s);
    long long answered_ms = std::chrono::duration_cast<milliseconds>(steady_clock::now() - t0).count();
    const std::string where = "in call " + std::to_string(q.call_id()) + " (create_pd) of session " + std::to_string(s);
    CHECK(e.state() == wire::SESSION_STATE_CRASHED, e.ShortDebugString());
    CHECK(e.call_id() == q.call_id() && e.operation() == "create_pd", e.ShortDebugString());
    CHECK(contains(e.detail(), where), e.ShortDebugString());
    CHECK(a.log_has("failed (crashed): "), a.log());
    CHECK(contains(a.log(), e.detail()), "the answer is the supervisor's line: " << e.detail() << "\n" << a.log());
    printf("  the new worker answered %lld ms after the crash: %s\n", answered_ms, e.ShortDebugString().c_str());
    stream.reset();

    wire::HelloReply again = c.session_once_free({{"crash-in", ""}});
    uint64_t s2 = session_of(again);
    CHECK(c.session_end(s2, &e).ok() && e.state() == wire::SESSION_STATE_RUNNING, e.ShortDebugString());
    CHECK(c.session_end(s, &e).ok() && e.state() == wire::SESSION_STATE_CRASHED, "still: " << e.ShortDebugString());
    c.goodbye(s2);
    CHECK(c.session_end(s2, &e).ok() && e.state() == wire::SESSION_STATE_CLOSED && contains(e.detail(), "goodbye"),
          e.ShortDebugString());

    // a fault on a provider thread, outside any call: the session that was open crashed
    r = c.session_once_free({{"crash-in", ""}, {"completion", "pending"}, {"crash-on-thread", "create_connector"}});
    uint64_t s3 = session_of(r);
    stream = attach(c, s3);
    q = c.call(s3);
    *q.mutable_create_connector()->mutable_adapter() = arg(adapter_of(r));
    q.mutable_create_connector()->set_completion(1);
    CHECK(c.ok(q).created().ntstatus() == 0x103, "pending");
    CHECK(!stream->end().ok(), "the stream broke");
    e = c.session_end_once_answered(s3);
    CHECK(e.state() == wire::SESSION_STATE_CRASHED && e.call_id() == 0 && e.operation().empty(), e.ShortDebugString());
    CHECK(contains(e.detail(), "(the last call begun: call " + std::to_string(q.call_id()) + " (create_connector)"),
          e.ShortDebugString());
    printf("  outside any call: %s\n", e.ShortDebugString().c_str());
    stream.reset();

    // a session whose client went away (it closed its side of the stream): CLOSED
    r = c.session_once_free({{"crash-in", ""}});
    uint64_t s4 = session_of(r);
    stream = attach(c, s4);
    stream->half_close();
    auto deadline = steady_clock::now() + std::chrono::seconds(10);
    while (c.session_end(s4, &e).ok() && e.state() == wire::SESSION_STATE_RUNNING && steady_clock::now() < deadline) {
        std::this_thread::sleep_for(milliseconds(20));
    }
    CHECK(e.state() == wire::SESSION_STATE_CLOSED && contains(e.detail(), "went away"), e.ShortDebugString());
    stream.reset();

    // an agent without a supervisor says so, and answers for its own sessions
    Served alone({"--no-supervisor"});
    CHECK(alone.client->hello(Client::request(), &plain).ok() && !plain.supervised(), plain.ShortDebugString());
    r = alone.client->session();
    CHECK(alone.client->session_end(session_of(r), &e).ok() && e.state() == wire::SESSION_STATE_RUNNING,
          e.ShortDebugString());
    alone.client->goodbye(session_of(r));
    CHECK(alone.client->session_end(session_of(r), &e).ok() && e.state() == wire::SESSION_STATE_CLOSED,
          e.ShortDebugString());
}

// SIGTERM closes the open session (its held callback is let go) and the agent exits 0.
void sigterm() {
    for (bool supervised : {true, false}) {
        Agent a;
        CHECK(a.start(supervised ? std::vector<std::string>{} : std::vector<std::string>{"--no-supervisor"}), a.log());
        Client c(a.port());
        wire::HelloReply r = c.session({{"completion", "pending"}});
        auto stream = attach(c, session_of(r));
        wire::Call q = c.call(session_of(r));
        *q.mutable_create_pd()->mutable_adapter() = arg(adapter_of(r));
        q.mutable_create_pd()->set_completion(1);
        CHECK(c.ok(q).created().ntstatus() == 0x103, "pending");
        stream->next();  // held: never returned
        auto t0 = steady_clock::now();
        a.signal(SIGTERM);
        // the agent completes the stream; the client lets its call go (a server waits for its
        // clients' calls to be released before it stops: up to 5 s)
        CHECK(stream->end().ok(), "the stream completed");
        stream.reset();
        auto exit = a.wait(milliseconds(20000));
        CHECK(exit && WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0,
              "exit status " << (exit ? *exit : -1) << "\n" << a.log());
        CHECK(contains(a.log(), "session " + std::to_string(session_of(r)) + " ended"), a.log());
        printf("  %s: stopped in %lld ms\n", supervised ? "supervised" : "--no-supervisor",
               static_cast<long long>(std::chrono::duration_cast<milliseconds>(steady_clock::now() - t0).count()));
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::map<std::string, std::function<void()>> cases = {
        {"bad-tables", bad_tables}, {"hello", hello},         {"wire-errors", wire_errors},
        {"buffers", buffers},       {"garbage", garbage},     {"callbacks", callbacks},
        {"callbacks-misbehaving", callbacks_misbehaving},     {"crash", crash},
        {"session-end", session_end},                         {"sigterm", sigterm}};
    if (argc != 2 || !cases.count(argv[1])) {
        fprintf(stderr, "usage: agent_test CASE (");
        for (const auto& kv : cases) {
            fprintf(stderr, " %s", kv.first.c_str());
        }
        fprintf(stderr, " )\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    auto t0 = steady_clock::now();
    try {
        cases.at(argv[1])();
    } catch (const std::exception& e) {
        fprintf(stderr, "agent_test %s: FAILED: %s\n", argv[1], e.what());
        return 1;
    }
    printf("agent_test %s: ok (%lld ms)\n", argv[1],
           static_cast<long long>(std::chrono::duration_cast<milliseconds>(steady_clock::now() - t0).count()));
    return 0;
}
