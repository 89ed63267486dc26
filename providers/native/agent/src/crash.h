// What the supervisor and its worker share (one anonymous shared page, mapped before the fork), and
// how a worker that dies inside the provider says where: each thread keeps the provider call it is
// in, and a fatal signal's handler copies the faulting thread's into the shared page before the
// default action ends the process.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace ndkagent {

struct Shared {
    // Numbering that outlives a worker: a restarted worker never reuses a session id or a handle,
    // so a kit still holding the dead worker's ids gets NOT_FOUND, never another session's objects.
    std::atomic<uint64_t> next_session;
    std::atomic<uint64_t> next_handle;
    std::atomic<int> port;           // the port the first worker bound (later ones bind it again)
    std::atomic<int> restarts;       // workers started after a crash
    std::atomic<int> crash_claimed;  // the first fatal signal's handler owns 'crash'
    char crash[512];                 // "signal 11 (SIGSEGV) in call 12 (create_pd) of session 3"
    std::atomic_flag last_lock;
    char last_call[256];             // the provider call begun last, on any thread
    char last_crash[768];            // the previous worker's end, for the next sessions' facts
};

// The shared page: mapped shared by the supervisor before its first fork, or private to a
// process that serves without one (--no-supervisor).
Shared* shared();
void map_shared(bool across_fork);

// Marks the provider call this thread is in (restored when the scope ends: calls nest inside
// callbacks); a fatal signal on this thread names it.
class ProviderScope {
public:
    explicit ProviderScope(const std::string& what);
    ~ProviderScope();
    ProviderScope(const ProviderScope&) = delete;
    ProviderScope& operator=(const ProviderScope&) = delete;

private:
    char saved_[192];
};

// SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT: record where, then die of the signal as before.
void install_crash_handlers();

// Why a worker ended, from its wait status and what its handler recorded.
std::string describe_death(int wait_status);

}  // namespace ndkagent
