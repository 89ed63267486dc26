// What the supervisor and its worker share (one anonymous shared page, mapped before the fork), and
// how a worker that dies inside the provider says where: each thread keeps the provider call it is
// in, and a fatal signal's handler copies the faulting thread's into the shared page before the
// default action ends the process.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace ndkagent {

// How a session ended, as SessionEnd answers it (the numbers are wire::SessionState's).
enum class EndState : int { Unknown = 0, Running = 1, Closed = 2, Crashed = 3 };

// One ended session, kept in the shared page so that a new worker can say how its predecessor's
// sessions ended.
struct SessionEndRecord {
    uint64_t session;      // 0: a free slot
    int state;             // EndState
    uint64_t call_id;      // Crashed in a call of this session: that call; else 0
    char operation[64];    // that call's provider function, or ""
    char detail[512];
};

struct Shared {
    // Numbering that outlives a worker: a restarted worker never reuses a session id or a handle,
    // so a kit still holding the dead worker's ids gets NOT_FOUND, never another session's objects.
    std::atomic<uint64_t> next_session;
    std::atomic<uint64_t> next_handle;
    std::atomic<int> port;           // the port the first worker bound (later ones bind it again)
    std::atomic<int> restarts;       // workers started after a crash
    std::atomic<int> crash_claimed;  // the first fatal signal's handler owns 'crash' and 'crash_*'
    char crash[512];                 // "signal 11 (SIGSEGV) in call 12 (create_pd) of session 3"
    uint64_t crash_session;          // the faulting thread's call, structured: its session (0: none)
    uint64_t crash_call;             // its call id (0: not a kit call)
    char crash_operation[64];        // its provider function ("" outside any call)
    std::atomic_flag last_lock;
    char last_call[256];             // the provider call begun last, on any thread
    char last_crash[768];            // the previous worker's end, for the next sessions' facts
    std::atomic<uint64_t> open_session;  // the session the current worker has open (0: none)
    // How the last sessions ended (a ring; a session's record is replaced, never repeated). The
    // worker writes Closed; the supervisor writes Crashed between two workers.
    std::atomic_flag ends_lock;
    uint32_t ends_next;
    SessionEndRecord ends[32];
};

// The shared page: mapped shared by the supervisor before its first fork, or private to a
// process that serves without one (--no-supervisor).
Shared* shared();
void map_shared(bool across_fork);

// Marks the provider call this thread is in (restored when the scope ends: calls nest inside
// callbacks); a fatal signal on this thread names it.
// With a session, a call id and an operation, a crash in the scope is that session's (SessionEnd).
class ProviderScope {
public:
    explicit ProviderScope(const std::string& what, uint64_t session = 0, uint64_t call_id = 0,
                           const char* operation = nullptr);
    ~ProviderScope();
    ProviderScope(const ProviderScope&) = delete;
    ProviderScope& operator=(const ProviderScope&) = delete;

private:
    char saved_[192];
    uint64_t saved_session_;
    uint64_t saved_call_;
    char saved_operation_[64];
};

// Records how a session ended (replacing an earlier record of it); bounded, oldest dropped.
void record_session_end(uint64_t session, EndState state, uint64_t call_id, const std::string& operation,
                        const std::string& detail);
// How a session ended, as SessionEnd answers it: Running for the open one, else its record, else Unknown.
SessionEndRecord find_session_end(uint64_t session);
// The current worker opened 'session' (0: it has none open any more; only 'session' is cleared).
void session_opened(uint64_t session);
void session_left(uint64_t session);
// The supervisor, after a worker died ('death' as describe_death says it): the session its fault was
// in, and the session it had open, crashed.
void record_worker_death(const std::string& death);

// SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT: record where, then die of the signal as before.
void install_crash_handlers();

// Why a worker ended, from its wait status and what its handler recorded.
std::string describe_death(int wait_status);

}  // namespace ndkagent
