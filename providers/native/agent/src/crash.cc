#include "crash.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <new>

#include "log.h"

namespace ndkagent {

namespace {

Shared* the_shared = nullptr;

// The provider call this thread is in. initial-exec TLS: readable from a signal handler.
__attribute__((tls_model("initial-exec"))) thread_local char current_call[192];
__attribute__((tls_model("initial-exec"))) thread_local uint64_t current_session;
__attribute__((tls_model("initial-exec"))) thread_local uint64_t current_call_id;
__attribute__((tls_model("initial-exec"))) thread_local char current_operation[64];

void copy_text(char* to, size_t size, const char* from) {
    size_t n = strnlen(from, size - 1);
    memcpy(to, from, n);
    to[n] = '\0';
}

// Async-signal-safe pieces: no stdio, no allocation.
void append(char* to, size_t size, const char* from) {
    size_t have = strnlen(to, size);
    if (have + 1 >= size) {
        return;
    }
    copy_text(to + have, size - have, from);
}

void append_number(char* to, size_t size, long value) {
    char digits[24];
    int i = 0;
    unsigned long v = value < 0 ? static_cast<unsigned long>(-value) : static_cast<unsigned long>(value);
    do {
        digits[i++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0 && i < 22);
    char out[26];
    int j = 0;
    if (value < 0) {
        out[j++] = '-';
    }
    while (i > 0) {
        out[j++] = digits[--i];
    }
    out[j] = '\0';
    append(to, size, out);
}

void on_fatal_signal(int sig) {
    Shared* s = the_shared;
    int expected = 0;
    if (s != nullptr && s->crash_claimed.compare_exchange_strong(expected, 1)) {
        char* c = s->crash;
        c[0] = '\0';
        append(c, sizeof s->crash, "signal ");
        append_number(c, sizeof s->crash, sig);
        append(c, sizeof s->crash, " (SIG");
        const char* abbrev = sigabbrev_np(sig);
        append(c, sizeof s->crash, abbrev != nullptr ? abbrev : "?");
        append(c, sizeof s->crash, ")");
        if (current_call[0] != '\0') {
            append(c, sizeof s->crash, " in ");
            append(c, sizeof s->crash, current_call);
        } else {
            append(c, sizeof s->crash, " on a provider thread, outside any call");
        }
        s->crash_session = current_session;
        s->crash_call = current_call_id;
        copy_text(s->crash_operation, sizeof s->crash_operation, current_operation);
    }
    // Die of the signal, as the process would have without this handler (a fault re-executes and
    // faults again under the default action; abort() raises again itself).
    signal(sig, SIG_DFL);
    raise(sig);
}

}  // namespace

Shared* shared() { return the_shared; }

void map_shared(bool across_fork) {
    void* p = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE,
                   (across_fork ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("ndk-agent-native: mmap");
        _exit(2);
    }
    the_shared = new (p) Shared();
    the_shared->next_session = 0;
    the_shared->next_handle = 0;
    the_shared->port = 0;
    the_shared->restarts = 0;
    the_shared->crash_claimed = 0;
    the_shared->crash_session = 0;
    the_shared->crash_call = 0;
    the_shared->crash_operation[0] = '\0';
    the_shared->last_lock.clear();
    the_shared->open_session = 0;
    the_shared->ends_lock.clear();
    the_shared->ends_next = 0;
    memset(the_shared->ends, 0, sizeof the_shared->ends);
}

ProviderScope::ProviderScope(const std::string& what, uint64_t session, uint64_t call_id, const char* operation) {
    memcpy(saved_, current_call, sizeof saved_);
    saved_session_ = current_session;
    saved_call_ = current_call_id;
    memcpy(saved_operation_, current_operation, sizeof saved_operation_);
    copy_text(current_call, sizeof current_call, what.c_str());
    current_session = session;
    current_call_id = call_id;
    copy_text(current_operation, sizeof current_operation, operation != nullptr ? operation : "");
    Shared* s = the_shared;
    if (s != nullptr) {
        while (s->last_lock.test_and_set(std::memory_order_acquire)) {
        }
        copy_text(s->last_call, sizeof s->last_call, what.c_str());
        s->last_lock.clear(std::memory_order_release);
    }
}

ProviderScope::~ProviderScope() {
    memcpy(current_call, saved_, sizeof saved_);
    current_session = saved_session_;
    current_call_id = saved_call_;
    memcpy(current_operation, saved_operation_, sizeof saved_operation_);
}

namespace {

// The ring's lock: held only to copy a record in or out (never across a call into anything else).
class EndsLock {
public:
    explicit EndsLock(Shared* s) : s_(s) {
        while (s_->ends_lock.test_and_set(std::memory_order_acquire)) {
        }
    }
    ~EndsLock() { s_->ends_lock.clear(std::memory_order_release); }
    EndsLock(const EndsLock&) = delete;
    EndsLock& operator=(const EndsLock&) = delete;

private:
    Shared* s_;
};

}  // namespace

void record_session_end(uint64_t session, EndState state, uint64_t call_id, const std::string& operation,
                        const std::string& detail) {
    Shared* s = the_shared;
    if (s == nullptr || session == 0) {
        return;
    }
    EndsLock l(s);
    constexpr size_t n = sizeof s->ends / sizeof s->ends[0];
    SessionEndRecord* r = nullptr;
    for (auto& e : s->ends) {
        if (e.session == session) {
            r = &e;
        }
    }
    if (r == nullptr) {
        r = &s->ends[s->ends_next % n];
        s->ends_next = static_cast<uint32_t>((s->ends_next + 1) % n);
    }
    r->session = session;
    r->state = static_cast<int>(state);
    r->call_id = call_id;
    copy_text(r->operation, sizeof r->operation, operation.c_str());
    copy_text(r->detail, sizeof r->detail, detail.c_str());
}

SessionEndRecord find_session_end(uint64_t session) {
    SessionEndRecord out{};
    out.session = session;
    out.state = static_cast<int>(EndState::Unknown);
    Shared* s = the_shared;
    if (s == nullptr || session == 0) {
        return out;
    }
    if (s->open_session.load() == session) {
        out.state = static_cast<int>(EndState::Running);
        return out;
    }
    EndsLock l(s);
    for (const auto& e : s->ends) {
        if (e.session == session) {
            out = e;
        }
    }
    return out;
}

void session_opened(uint64_t session) {
    if (the_shared != nullptr) {
        the_shared->open_session = session;
    }
}

void session_left(uint64_t session) {
    if (the_shared != nullptr) {
        uint64_t expected = session;
        the_shared->open_session.compare_exchange_strong(expected, 0);
    }
}

void record_worker_death(const std::string& death) {
    Shared* s = the_shared;
    if (s == nullptr) {
        return;
    }
    uint64_t in_call_of = s->crash_claimed.load() != 0 ? s->crash_session : 0;
    if (in_call_of != 0) {
        record_session_end(in_call_of, EndState::Crashed, s->crash_call,
                           std::string(s->crash_operation, strnlen(s->crash_operation, sizeof s->crash_operation)),
                           death);
    }
    uint64_t open = s->open_session.exchange(0);
    if (open != 0 && open != in_call_of) {
        // it died outside this session's calls (a provider thread, another session's close), but the
        // session went with it
        record_session_end(open, EndState::Crashed, 0, "", death);
    }
}

void install_crash_handlers() {
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) {
        struct sigaction sa {};
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(sig, &sa, nullptr);
    }
}

std::string describe_death(int wait_status) {
    Shared* s = the_shared;
    std::string last = s != nullptr && s->last_call[0] != '\0' ? std::string(s->last_call) : "none";
    if (s != nullptr && s->crash_claimed.load() != 0) {
        std::string c(s->crash, strnlen(s->crash, sizeof s->crash));
        if (c.find(" outside any call") != std::string::npos) {
            c += " (the last call begun: " + last + ")";
        }
        return c;
    }
    if (WIFSIGNALED(wait_status)) {
        int sig = WTERMSIG(wait_status);
        const char* abbrev = sigabbrev_np(sig);
        return format("signal %d (SIG%s), the last call begun: %s", sig, abbrev != nullptr ? abbrev : "?",
                      last.c_str());
    }
    return format("exit status %d, the last call begun: %s", WEXITSTATUS(wait_status), last.c_str());
}

}  // namespace ndkagent
