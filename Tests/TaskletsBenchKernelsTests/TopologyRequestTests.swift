import Foundation
import Tasklets
import TaskletsBenchKernels
import Testing

/// `tasklets-bench topology --sysfs-root`: another machine's sysfs copy is
/// planned for with its own online CPUs, whatever this process's affinity
/// mask (2 CPUs on the machine these tests were written on), and
/// `--affinity` narrows it.
@Suite struct TopologyRequestTests {
    @Test func aCopyIsPlannedWithItsOwnCPUs() throws {
        let sysfs = try FourNodeSysfs()
        let report = try TopologyRequest(sysfsRoot: sysfs.root).plan()
        #expect(report.topology.cpus == Array(0..<16))
        #expect(report.topology.nodes.map(\.id) == [0, 1, 2, 3])
        for node in report.topology.nodes {
            #expect(node.cpus == FourNodeSysfs.cpus(ofNode: node.id).sorted())
        }
        #expect(report.topology.cores.count == 8)
        #expect(report.topology.distance(from: 0, to: 3) == 22)
        // The pool's default on several nodes: compact, one worker per CPU.
        #expect(report.placement == .compact)
        #expect(report.workers.count == 16)
        #expect(Set(report.workers.compactMap(\.cpu)) == Set(0..<16))
        for worker in report.workers {
            #expect(worker.cpu.flatMap(report.topology.node(ofCPU:)) == worker.node)
        }
        #expect(report.nodeLocalMemoryAvailable == nil)
        #expect(report.nodeLocalMemory.contains("another machine"))
    }

    @Test func affinityNarrowsTheCopy() throws {
        let sysfs = try FourNodeSysfs()
        let report = try TopologyRequest(sysfsRoot: sysfs.root, affinity: "0-3,8-11").plan()
        #expect(report.topology.cpus == [0, 1, 2, 3, 8, 9, 10, 11])
        #expect(report.topology.nodes.map(\.id) == [0, 1])
        #expect(report.workers.count == 8)
        let spread = try TopologyRequest(sysfsRoot: sysfs.root, affinity: "0-15", workers: 4, placement: "spread").plan()
        #expect(Set(spread.workers.map(\.node)) == [0, 1, 2, 3])
    }

    @Test func badRequestsFailWithOneLine() throws {
        let sysfs = try FourNodeSysfs()
        let cases: [(TopologyRequest, String)] = [
            (TopologyRequest(sysfsRoot: sysfs.root, affinity: "x-y"), #"invalid --affinity "x-y""#),
            (TopologyRequest(sysfsRoot: sysfs.root, affinity: "40-41"), #"invalid --affinity "40-41": expected CPUs that are online there (0-15)"#),
            (TopologyRequest(sysfsRoot: sysfs.root, placement: "bogus"), #"invalid --placement "bogus""#),
            (TopologyRequest(sysfsRoot: sysfs.root, workers: 0), #"invalid --workers "0""#),
            (TopologyRequest(sysfsRoot: sysfs.root, workers: 9, placement: "cores"), "cannot plan the pool: 9 workers cannot be pinned"),
            (TopologyRequest(placement: "bogus"), #"invalid --placement "bogus""#),
        ]
        for (request, expected) in cases {
            do {
                _ = try request.plan()
                Issue.record("no error for \(request)")
            } catch {
                #expect(error.description.hasPrefix(expected), "\(error.description)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func theLiveMachineIsWhatAPoolWouldSee() throws {
        let report = try TopologyRequest().plan()
        #expect(report.topology.cpus == (try TaskletPool.affinityCPUs()))
        #expect(report.nodeLocalMemoryAvailable != nil)
    }
}
