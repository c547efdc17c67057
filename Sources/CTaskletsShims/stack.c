// Stack overflow reports for worker threads; see "Stack overflow reports" in
// CTaskletsShims.h. _GNU_SOURCE comes from Package.swift's cSettings.
#include "CTaskletsShims.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

enum { message_capacity = 512, alternate_stack_minimum = 64 * 1024 };

// Per worker thread. Zero on every other thread, so the handler ignores them.
static __thread uintptr_t guard_low;
static __thread uintptr_t guard_high;
static __thread char overflow_message[message_capacity];
static __thread size_t overflow_message_length;
static __thread void *alternate_stack;
static __thread size_t alternate_stack_size;

static struct sigaction previous_segv;
static struct sigaction previous_bus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static int install_error;

// Hands the signal to whoever had it before: their handler, or the default
// action (re-raised when the handler returns, as the faulting instruction
// runs again).
static void forward(int signal_number, siginfo_t *info, void *context) {
    struct sigaction *previous = signal_number == SIGBUS ? &previous_bus : &previous_segv;
    if (previous->sa_flags & SA_SIGINFO) {
        if (previous->sa_sigaction) {
            previous->sa_sigaction(signal_number, info, context);
            return;
        }
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
        previous->sa_handler(signal_number);
        return;
    }
    // No handler before ours: restore the default action and let the fault
    // happen again when we return.
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal_number, &fallback, NULL);
}

static void handle_fault(int signal_number, siginfo_t *info, void *context) {
    uintptr_t address = (uintptr_t)info->si_addr;
    if (guard_high != 0 && address >= guard_low && address < guard_high) {
        // write(2) is async-signal-safe; the message was composed at start.
        ssize_t ignored = write(2, overflow_message, overflow_message_length);
        (void)ignored;
    }
    forward(signal_number, info, context);
}

static void install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = handle_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, &previous_segv) != 0 ||
        sigaction(SIGBUS, &action, &previous_bus) != 0) {
        install_error = errno;
    }
}

int ctasklets_stack_guard_install(void) {
    pthread_once(&install_once, install);
    return install_error;
}

int ctasklets_stack_guard_enter(const char *message) {
    pthread_attr_t attributes;
    int result = pthread_getattr_np(pthread_self(), &attributes);
    if (result != 0) return result;
    void *stack_low = NULL;
    size_t stack_size = 0, guard_size = 0;
    pthread_attr_getstack(&attributes, &stack_low, &stack_size);
    pthread_attr_getguardsize(&attributes, &guard_size);
    pthread_attr_destroy(&attributes);
    (void)stack_size;

    long page = sysconf(_SC_PAGESIZE);
    size_t size = (size_t)sysconf(_SC_SIGSTKSZ);
    if (size < alternate_stack_minimum) size = alternate_stack_minimum;
    void *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED) return errno;
    stack_t alternate = { .ss_sp = stack, .ss_flags = 0, .ss_size = size };
    if (sigaltstack(&alternate, NULL) != 0) {
        int error = errno;
        munmap(stack, size);
        return error;
    }
    alternate_stack = stack;
    alternate_stack_size = size;

    size_t length = strlen(message);
    if (length >= message_capacity) length = message_capacity - 1;
    memcpy(overflow_message, message, length);
    overflow_message[length] = 0;
    overflow_message_length = length;
    // The guard pages lie just below the usable stack; a frame that jumps
    // over part of them still faults inside. One page above the bottom
    // counts too (a fault while touching the last page).
    guard_low = (uintptr_t)stack_low - guard_size;
    guard_high = (uintptr_t)stack_low + (uintptr_t)page;
    return 0;
}

void ctasklets_stack_guard_leave(void) {
    guard_low = 0;
    guard_high = 0;
    if (alternate_stack != NULL) {
        stack_t disable = { .ss_sp = NULL, .ss_flags = SS_DISABLE, .ss_size = 0 };
        sigaltstack(&disable, NULL);
        munmap(alternate_stack, alternate_stack_size);
        alternate_stack = NULL;
    }
}
