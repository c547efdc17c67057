// Test-only helpers that need C: a seccomp filter that refuses NUMA memory
// policy, as Docker's default profile does without CAP_SYS_NICE.
#ifndef C_TASKLETS_TEST_SUPPORT_H
#define C_TASKLETS_TEST_SUPPORT_H

/// Installs, on the calling thread only (and threads it creates later), a
/// seccomp filter that makes mbind, get_mempolicy, set_mempolicy and
/// migrate_pages fail with `error` (EPERM or ENOSYS). It cannot be removed:
/// call it on a thread made for the purpose. Returns 0 or an errno value.
int ctasklets_test_refuse_memory_policy(int error);

#endif
