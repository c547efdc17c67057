import CTaskletsShims
import CTaskletsTestSupport
import Foundation
import Testing
@testable import Tasklets

#if canImport(Glibc)
import Glibc
#endif

/// What the kernel refuses in containers, for real: memory policy under a
/// seccomp filter, pinning outside a cgroup cpuset. Each runs on a thread
/// made for it, since neither a seccomp filter nor a cgroup move is undone.
@Suite struct KernelRefusalTests {
    /// Creates a pool on the calling thread, runs work, and returns the
    /// pool's diagnostics, or the error.
    static func poolDiagnostics(
        placement: Placement = .unpinned, system: SystemCalls = .live
    ) -> Result<[String], any Error> {
        Result {
            let pool = try TaskletPool(workers: 2, placement: placement, system: system, errorHandler: { _ in })
            defer { pool.shutdown() }
            let total = try pool.run {
                try parallelReduce(0..<10_000, grain: 100, identity: 0, combine: +) { $0.count }
            }
            guard total == 10_000 else { throw Boom(id: total) }
            return pool.diagnostics
        }
    }

    /// libnuma 2.0.16 still calls itself available under such a filter and
    /// then prints on every call; the pool must notice, fall back to plain
    /// memory, keep working, and say so once in its diagnostics.
    @Test(arguments: [EPERM, ENOSYS])
    func memoryPolicyRefusedBySeccompLeavesThePoolWorking(error: Int32) throws {
        final class Outcome: @unchecked Sendable { var installed: Int32 = -1; var result: Result<[String], any Error>? }
        let outcome = Outcome()
        runConcurrently(1) { _ in
            outcome.installed = ctasklets_test_refuse_memory_policy(error)
            guard outcome.installed == 0 else { return }
            #expect(ctasklets_numa_memory_policy_errno() == error)
            outcome.result = KernelRefusalTests.poolDiagnostics()
        }
        guard outcome.installed == 0 else {
            print("skipped: cannot install a seccomp filter here (errno \(outcome.installed))")
            return
        }
        let diagnostics = try #require(try outcome.result?.get())
        let memory = diagnostics.filter { $0.hasPrefix("node-local memory unavailable") }
        #expect(memory.count == 1)
        #expect(memory.first?.contains("memory policy refused") == true)
    }

    /// A cgroup cpuset does not show in sysfs, and an affinity mask read
    /// before the cpuset narrowed is stale: pinning outside the cpuset then
    /// fails with EINVAL. The worker must run unpinned and the pool say so.
    @Test func pinningOutsideACgroupCpusetRunsUnpinned() throws {
        let root = "/sys/fs/cgroup/cpuset"
        let cpus = (try? TaskletPool.affinityCPUs()) ?? []
        guard getuid() == 0, cpus.count >= 2, FileManager.default.isWritableFile(atPath: root + "/tasks") else {
            print("skipped: needs root, 2 CPUs and a writable cgroup v1 cpuset hierarchy at \(root)")
            return
        }
        let group = "\(root)/swift-tasklets-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let mems = try String(contentsOfFile: root + "/cpuset.mems", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createDirectory(atPath: group, withIntermediateDirectories: false)
        defer { _ = rmdir(group) }
        try String(cpus[1]).write(toFile: group + "/cpuset.cpus", atomically: false, encoding: .utf8)
        try mems.write(toFile: group + "/cpuset.mems", atomically: false, encoding: .utf8)

        final class Outcome: @unchecked Sendable { var moved = false; var result: Result<[String], any Error>? }
        let outcome = Outcome()
        runConcurrently(1) { _ in
            do {
                try String(ctasklets_thread_id()).write(toFile: group + "/tasks", atomically: false, encoding: .utf8)
            } catch {
                return
            }
            outcome.moved = true
            // The stale mask, as read before the move: it still has cpus[0].
            var system = SystemCalls.live
            system.affinityCPUs = { .success(cpus) }
            outcome.result = KernelRefusalTests.poolDiagnostics(placement: .compact, system: system)
        }
        #expect(outcome.moved)
        let diagnostics = try #require(try outcome.result?.get())
        let refused = diagnostics.filter { $0.contains("could not pin") && $0.contains("CPU \(cpus[0])") }
        #expect(refused.count == 1)
        #expect(refused.first?.contains("running unpinned") == true)
    }
}
