import CTaskletsShims
import Foundation
import Synchronization
import Testing
@testable import Tasklets

/// Placement and pinning on the real machine, and with substituted system
/// calls for what this machine cannot show.
@Suite struct PlacementTests {
    /// The affinity mask of each worker, reported from the worker itself.
    func workerMasks(_ pool: TaskletPool) throws -> [Int: [Int]] {
        try onEveryWorker(pool) { (try? TaskletPool.affinityCPUs()) ?? [] }
    }

    /// `taskset -c 1`: a pool started from a thread allowed only CPU 1 has
    /// one worker, and it runs on CPU 1.
    @Test func aNarrowAffinityMaskGivesOneWorkerOnThatCPU() throws {
        guard ((try? TaskletPool.affinityCPUs()) ?? []).contains(1) else { return }
        final class Outcome: @unchecked Sendable { var count = 0; var masks: [Int: [Int]] = [:]; var error: (any Error)? }
        let outcome = Outcome()
        runConcurrently(1) { _ in
            guard ctasklets_pin_current_thread(1) == 0 else { return }
            do {
                let pool = try TaskletPool(supervision: .disabled)
                defer { pool.shutdown() }
                outcome.count = pool.workerCount
                outcome.masks = try self.workerMasks(pool)
            } catch {
                outcome.error = error
            }
        }
        #expect(outcome.error == nil)
        #expect(outcome.count == 1)
        #expect(outcome.masks == [0: [1]])
    }

    @Test func compactPlacementPinsEachWorkerToItsCPU() throws {
        let cpus = try TaskletPool.affinityCPUs()
        let pool = try TaskletPool(workers: cpus.count, placement: .compact, supervision: .disabled)
        defer { pool.shutdown() }
        let masks = try bounded { try self.workerMasks(pool) }
        for (index, placement) in pool.placements.enumerated() {
            #expect(placement.cpu != nil)
            #expect(masks[index] == placement.cpu.map { [$0] })
        }
        #expect(Set(pool.placements.compactMap(\.cpu)) == Set(cpus))
    }

    @Test func pinningRefusedByTheKernelLeavesWorkersUnpinnedAndSaysSoOnce() throws {
        var system = SystemCalls.live
        system.pinCurrentThread = { _ in EINVAL }  // as outside a cgroup cpuset
        let pool = try TaskletPool(
            workers: 2, placement: .compact, supervision: .disabled, system: system, errorHandler: { _ in })
        defer { pool.shutdown() }
        #expect(try bounded { try pool.run { 6 * 7 } } == 42)
        let pinning = pool.diagnostics.filter { $0.contains("could not pin") }
        #expect(pinning.count == 2)  // one line per worker, each once
        #expect(pinning.allSatisfy { $0.contains("running unpinned") })
    }

    @Test func impossiblePlacementsThrowClearErrors() {
        #expect(throws: TaskletPoolError.self) { _ = try TaskletPool(workers: 1, placement: .cpus([4095])) }
        let tooMany = (try? TaskletPool.affinityCPUs().count) ?? 1
        #expect(throws: TaskletPoolError.self) { _ = try TaskletPool(workers: tooMany + 1, placement: .compact) }
        do {
            _ = try TaskletPool(workers: 1, placement: .cpus([4095]))
        } catch {
            #expect(error.description.contains("placement"))
        }
    }

    @Test func placementComesFromTheEnvironment() throws {
        var system = SystemCalls.live
        system.environment = { $0 == Placement.environmentVariable ? "cpus:0" : nil }
        let pool = try TaskletPool(workers: 1, system: system, errorHandler: { _ in })
        defer { pool.shutdown() }
        #expect(pool.placements.map(\.cpu) == [0])
        system.environment = { $0 == Placement.environmentVariable ? "everywhere" : nil }
        #expect(throws: TaskletPoolError.self) {
            _ = try TaskletPool(workers: 1, system: system, errorHandler: { _ in })
        }
    }

    @Test func oneNodeCollapsesToOneTierOfVictims() throws {
        let pool = try TaskletPool(workers: 3)
        defer { pool.shutdown() }
        guard pool.topology.nodes.count == 1 else { return }
        #expect(pool.registry.layout.victimOrders == (0..<3).map { VictimOrder.uniform(worker: $0, workerCount: 3) })
    }
}
