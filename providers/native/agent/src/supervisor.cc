// The supervisor: a worker process loads the provider and serves; when it dies (the provider crashed
// it), the supervisor says where and starts another on the same address. The kit's session with the
// dead worker is broken; the kit asks the new worker how that session ended (SessionEnd), and
// its next Hello opens a session with the new worker, whose testbed facts name the crash, and the
// new worker answers SessionEnd for the lost session (CRASHED, where) from the record the supervisor
// keeps in the shared page.
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fcntl.h>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "crash.h"
#include "log.h"
#include "worker.h"

namespace ndkagent {

namespace {

constexpr int kStopBoundMs = 45000;  // the worker closes its testbed (30 s) and its server (5 s)

void copy_text(char* to, size_t size, const std::string& from) {
    size_t n = std::min(from.size(), size - 1);
    memcpy(to, from.data(), n);
    to[n] = '\0';
}

}  // namespace

int supervise(const Options& o) {
    map_shared(true);
    signal(SIGPIPE, SIG_IGN);  // a reader of its standard output that went away is no reason to die
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (sfd < 0) {
        perror("ndk-agent-native: signalfd");
        return 2;
    }
    const pid_t supervisor = getpid();
    bool served = false;       // a worker has served: later deaths are crashes, and a new worker follows
    int early_deaths = 0;      // restarted workers that died before serving, in a row
    Options wo = o;
    while (true) {
        Shared* sh = shared();
        sh->crash_claimed = 0;
        sh->crash[0] = '\0';
        sh->crash_session = 0;
        sh->crash_call = 0;
        sh->crash_operation[0] = '\0';
        sh->last_call[0] = '\0';
        sh->open_session = 0;
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) {
            perror("ndk-agent-native: pipe");
            return 2;
        }
        pid_t pid = fork();
        if (pid < 0) {
            perror("ndk-agent-native: fork");
            return 2;
        }
        if (pid == 0) {
            close(fds[0]);
            close(sfd);
            // The worker ends with its supervisor, closing its testbed on the way.
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (getppid() != supervisor) {
                _exit(1);
            }
            // SIGTERM and SIGINT stay blocked: serve() takes them on a thread of its own.
            sigset_t child;
            sigemptyset(&child);
            sigaddset(&child, SIGCHLD);
            sigprocmask(SIG_UNBLOCK, &child, nullptr);
            int rc = serve(wo, fds[1], served);
            fflush(nullptr);
            _exit(rc);
        }
        close(fds[1]);
        int ready_fd = fds[0];
        bool ready = false;
        bool stopping = false;
        auto stop_deadline = std::chrono::steady_clock::now();
        int status = 0;
        while (true) {
            pollfd pf[2] = {{sfd, POLLIN, 0}, {ready_fd, POLLIN, 0}};
            int n = poll(pf, ready_fd >= 0 ? 2 : 1, stopping ? 200 : -1);
            if (n < 0 && errno != EINTR) {
                perror("ndk-agent-native: poll");
                kill(pid, SIGKILL);
                return 1;
            }
            if (stopping && std::chrono::steady_clock::now() > stop_deadline) {
                log_info(format("the worker (pid %d) had not stopped %d s after SIGTERM; killing it", pid,
                                kStopBoundMs / 1000));
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                return 1;
            }
            if (ready_fd >= 0 && (pf[1].revents & (POLLIN | POLLHUP)) != 0) {
                char one = 0;
                if (read(ready_fd, &one, 1) == 1) {
                    ready = true;
                    if (!served) {
                        served = true;
                        wo.port = sh->port.load();
                        // The port on a line of its own, for scripts that asked for port 0.
                        printf("ndk-agent listening on %s:%d\n", o.host.c_str(), wo.port);
                        fflush(stdout);
                    }
                    early_deaths = 0;
                }
                close(ready_fd);
                ready_fd = -1;
            }
            if ((pf[0].revents & POLLIN) == 0) {
                continue;
            }
            signalfd_siginfo si{};
            if (read(sfd, &si, sizeof si) != sizeof si) {
                continue;
            }
            if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
                if (!stopping) {
                    stopping = true;
                    stop_deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStopBoundMs);
                    kill(pid, SIGTERM);
                }
                continue;
            }
            if (waitpid(pid, &status, WNOHANG) == pid) {
                break;
            }
        }
        if (ready_fd >= 0) {
            close(ready_fd);
        }
        if (stopping) {
            bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (!clean) {
                log_info("the worker did not stop cleanly: " + describe_death(status));
            }
            return clean ? 0 : 1;
        }
        if (!ready && !served) {
            // The first worker could not serve: it said why (exit 2), or it died loading the library.
            if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
                return 2;
            }
            fprintf(stderr, "ndk-agent-native: the worker died before serving (%s): the provider library "
                    "%s cannot be served\n", describe_death(status).c_str(), o.provider_lib.c_str());
            return 2;
        }
        if (!ready) {
            if (++early_deaths >= 3) {
                log_info("a new worker died before serving three times in a row (" + describe_death(status) +
                         "); giving up");
                return 1;
            }
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            log_info("the worker stopped by itself (exit 0); stopping too");
            return 0;
        }
        std::string death = describe_death(status);
        log_info(format("worker %d failed (crashed): %s; a new worker serves %s", pid, death.c_str(),
                        grpc_address(o.host, wo.port).c_str()));
        copy_text(sh->last_crash, sizeof sh->last_crash, death);
        // Before the next worker starts: it answers SessionEnd for the lost session from this record.
        record_worker_death(death);
        sh->restarts++;
    }
}

}  // namespace ndkagent
