// _GNU_SOURCE comes from Package.swift's cSettings.
#include "CTaskletsShims.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

// The self-pipe of `TaskletPool.dumpOnSignal`: the handler only writes a
// byte (write is async-signal-safe); a plain thread reads it and does the
// real work (building strings, taking locks) outside the handler.
static int dump_pipe[2] = {-1, -1};

static void dump_handler(int signal_number) {
    (void)signal_number;
    int saved = errno;
    char byte = 1;
    ssize_t ignored = write(dump_pipe[1], &byte, 1);  // a full pipe drops a request; one is pending anyway
    (void)ignored;
    errno = saved;
}

int ctasklets_dump_signal_install(int signal_number) {
    if (dump_pipe[0] < 0) {
        if (pipe2(dump_pipe, O_CLOEXEC) != 0) return -errno;
        int flags = fcntl(dump_pipe[1], F_GETFL);
        if (flags < 0 || fcntl(dump_pipe[1], F_SETFL, flags | O_NONBLOCK) != 0) return -errno;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = dump_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(signal_number, &action, NULL) != 0) return -errno;
    return 0;
}

int ctasklets_dump_signal_wait(void) {
    char byte;
    for (;;) {
        ssize_t got = read(dump_pipe[0], &byte, 1);
        if (got == 1) return 0;
        if (got < 0 && errno == EINTR) continue;
        return got < 0 ? -errno : -EPIPE;
    }
}
