import Foundation
import Synchronization
import Testing
@testable import Tasklets

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SnapshotTests {
    /// Each thread's state as it is: a held-up named tasklet running for
    /// longer than the threshold, a blocking section, sleeping workers.
    @Test func aSnapshotShowsWhatEachThreadDoes() throws {
        let pool = try TaskletPool(workers: 3)
        defer { pool.shutdown() }
        let spinning = try HeldWorkers(1, on: pool, name: "spinner", hold: HeldWorkers.spin)
        defer { spinning.release() }
        let blocked = try HeldWorkers(1, on: pool, hold: HeldWorkers.sleepDeclared)
        defer { blocked.release() }
        var snapshot = pool.snapshot()
        #expect(eventually(within: 10) {
            snapshot = pool.snapshot()
            let running = snapshot.threads.first { $0.taskletName == "spinner" }
            return (running?.runningFor ?? .zero) >= .milliseconds(10)
                && snapshot.threads.contains { $0.state == .blocking }
                && snapshot.threads.contains { !$0.isSpare && $0.state == .parked }
        }, "\(snapshot)")
        let text = snapshot.description
        #expect(text.contains("tasklet \"spinner\""), "\(text)")
        #expect(text.contains("blocking"), "\(text)")
        #expect(snapshot.threads.filter { !$0.isSpare }.count == 3)
        spinning.release()
        blocked.release()
        #expect(eventually(within: 10) {
            pool.snapshot().threads.allSatisfy { $0.state == .parked || $0.isSpare }
        })
    }

    /// With supervision off, a snapshot has no times to give.
    @Test func withoutSupervisionASnapshotHasNoTimes() throws {
        let pool = try TaskletPool(workers: 1, supervision: .disabled)
        defer { pool.shutdown() }
        let held = try HeldWorkers(1, on: pool, hold: HeldWorkers.spin)
        defer { held.release() }
        usleep(20_000)
        let thread = try #require(pool.snapshot().threads.first)
        #expect(thread.state == .running)
        #expect(thread.runningFor == nil)
        #expect(thread.taskletName == "held")
    }

    /// The signal dump writes every live pool's snapshot; a signal that
    /// cannot be caught is refused with an error.
    @Test func aSignalWritesTheSnapshots() throws {
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        let dumps = Recorder<String>()
        let previous = SnapshotDump.shared.redirect { dumps.append($0) }
        defer { SnapshotDump.shared.redirect(to: previous) }
        try TaskletPool.dumpOnSignal(SIGUSR2)
        kill(getpid(), SIGUSR2)
        #expect(eventually(within: 10) { !dumps.values.isEmpty })
        let text = dumps.values.first ?? ""
        #expect(text.contains("tasklet pool: 1 workers"), "\(text)")
        #expect(throws: TaskletPoolError.self) { try TaskletPool.dumpOnSignal(SIGKILL) }
        #expect(throws: TaskletPoolError.self) { try TaskletPool.dumpOnSignal(12_345) }
    }
}
