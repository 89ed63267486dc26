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
    the_shared->last_lock.clear();
}

ProviderScope::ProviderScope(const std::string& what) {
    memcpy(saved_, current_call, sizeof saved_);
    copy_text(current_call, sizeof current_call, what.c_str());
    Shared* s = the_shared;
    if (s != nullptr) {
        while (s->last_lock.test_and_set(std::memory_order_acquire)) {
        }
        copy_text(s->last_call, sizeof s->last_call, what.c_str());
        s->last_lock.clear(std::memory_order_release);
    }
}

ProviderScope::~ProviderScope() { memcpy(current_call, saved_, sizeof saved_); }

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
