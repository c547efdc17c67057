import Foundation
import Testing
@testable import Tasklets

/// Topology read from fixture sysfs trees: one test per odd machine.
@Suite struct TopologyFixtureTests {
    @Test func twoSocketsWithSMT() throws {
        let fixture = try SysfsFixture.twoSocketsSMT()
        let topology = fixture.topology(affinity: Array(0..<16))
        #expect(topology.source == .sysfs(root: fixture.root))
        #expect(topology.warnings == [])
        #expect(topology.cpus == Array(0..<16))
        #expect(topology.nodes == [.init(id: 0, cpus: [0, 1, 2, 3, 8, 9, 10, 11]), .init(id: 1, cpus: [4, 5, 6, 7, 12, 13, 14, 15])])
        #expect(topology.packages.map(\.id) == [0, 1])
        #expect(topology.cores == (0..<8).map { [$0, $0 + 8] })
        #expect(topology.cacheGroups.map(\.cpus) == [[0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7, 12, 13, 14, 15]])
        #expect(topology.cacheGroups.map(\.level) == [3, 3])
        #expect(topology.distance(from: 0, to: 1) == 21)
        #expect(topology.distance(from: 1, to: 1) == 10)
        #expect(topology.node(ofCPU: 12) == 1)
        #expect(topology.defaultWorkerCount == 16)
        #expect(topology.description.contains("distances: 0: 10 21, 1: 21 10"))
        #expect(topology.description.contains("last-level caches: L3 0-3,8-11, L3 4-7,12-15"))
    }

    @Test func fourNodesWithAsymmetricDistances() throws {
        let fixture = try SysfsFixture.fourNodes()
        let topology = fixture.topology(affinity: nil)
        #expect(topology.warnings == [])
        #expect(topology.nodes.map(\.id) == [0, 1, 2, 3])
        #expect(topology.distance(from: 0, to: 2) == 16)
        #expect(topology.distance(from: 2, to: 0) == 17)
        #expect(topology.distance(from: 3, to: 0) == 22)
        #expect(topology.cacheGroups.map(\.cpus) == [[0, 1], [2, 3], [4, 5], [6, 7]])
    }

    /// Nodes 0, 1 (memory only) and 2; CPU 3 offline.
    static func sparse() throws -> SysfsFixture {
        let fixture = try SysfsFixture.machine(
            online: "0-2,4-5", nodes: [(0, "0-2"), (2, "4-5")], distances: ["10 20 30", "20 10 20", "30 20 10"],
            cores: [], caches: [[0, 1, 2], [4, 5]], memoryOnly: [1])
        fixture.write("\(SysfsFixture.cpu)/cpu3/online", "0\n")
        return fixture
    }

    @Test func sparseNodesAndAnOfflineCPU() throws {
        let topology = try Self.sparse().topology(affinity: [0, 1, 2, 3, 4, 5])
        #expect(topology.cpus == [0, 1, 2, 4, 5])
        #expect(topology.nodes == [.init(id: 0, cpus: [0, 1, 2]), .init(id: 2, cpus: [4, 5])])
        #expect(topology.memoryOnlyNodes == [1])
        #expect(topology.distance(from: 0, to: 2) == 30)
        #expect(topology.distance(from: 2, to: 1) == 20)
        #expect(topology.warnings.count == 1)
        #expect(topology.warnings.first?.contains("CPUs 3: in the affinity mask but offline") == true)
    }

    /// numa=fake: both nodes list CPUs 0-3; only the cpuN/nodeM links tell.
    static func fake(links: Bool) throws -> SysfsFixture {
        try SysfsFixture.machine(
            online: "0-3", nodes: [(0, "0-3"), (1, "0-3")], distances: ["10 20", "20 10"],
            cores: [], caches: [[0, 1, 2, 3]], links: false
        ).linking(links ? [0: 0, 1: 0, 2: 1, 3: 1] : [:])
    }

    @Test func numaFakeUsesTheLinks() throws {
        let topology = try Self.fake(links: true).topology(affinity: nil)
        #expect(topology.warnings == [])
        #expect(topology.nodes == [.init(id: 0, cpus: [0, 1]), .init(id: 1, cpus: [2, 3])])
        // The L3 spans both fake nodes: it is split at the node boundary.
        #expect(topology.cacheGroups.map(\.cpus) == [[0, 1], [2, 3]])
        #expect(topology.cacheGroups.map(\.node) == [0, 1])
    }

    @Test func numaFakeWithoutLinksWarns() throws {
        let topology = try Self.fake(links: false).topology(affinity: nil)
        #expect(topology.nodes == [.init(id: 0, cpus: [0, 1, 2, 3])])
        #expect(topology.warnings.contains { $0.contains("several nodes list them") })
    }

    @Test func missingDistanceAndCacheFiles() throws {
        let fixture = try SysfsFixture.machine(
            online: "0-3", nodes: [(0, "0-1"), (1, "2-3")], distances: nil, cores: [], caches: nil)
        let topology = fixture.topology(affinity: nil)
        #expect(topology.distance(from: 0, to: 1) == 20)
        #expect(topology.distance(from: 1, to: 1) == 10)
        #expect(topology.cacheGroups == [.init(level: nil, node: 0, cpus: [0, 1]), .init(level: nil, node: 1, cpus: [2, 3])])
        #expect(topology.warnings.contains { $0.contains("assumed 10 local, 20 remote") })
        #expect(topology.warnings.contains { $0.contains("one last-level cache per node") })
    }

    @Test func noSysfsAtAll() {
        let root = NSTemporaryDirectory() + "tasklets-no-sysfs-" + UUID().uuidString
        let topology = Topology.read(sysfsRoot: root, cgroupRoot: root, membershipFile: .some(nil),
                                     affinity: .some([0, 1, 2]), system: .live)
        #expect(topology.source == .assumed(reason: "no sysfs at \(root)"))
        #expect(topology.nodes == [.init(id: 0, cpus: [0, 1, 2])])
        #expect(topology.cores == [[0], [1], [2]])
        #expect(topology.cacheGroups == [.init(level: nil, node: 0, cpus: [0, 1, 2])])
        #expect(!topology.warnings.isEmpty)
        let blind = Topology.read(sysfsRoot: root, cgroupRoot: root, membershipFile: .some(nil),
                                  affinity: .some(nil), system: .live)
        #expect(blind.cpus == [0])
        #expect(blind.warnings.contains { $0.contains("assumed CPU 0 alone") })
    }

    @Test func affinityIntersection() throws {
        let fixture = try SysfsFixture.machine(
            online: "0-7", nodes: [(0, "0-7")], distances: ["10"], cores: [], caches: [Array(0..<8)])
        let topology = fixture.topology(affinity: [1, 3])
        #expect(topology.cpus == [1, 3])
        #expect(topology.defaultWorkerCount == 2)
        #expect(topology.nodes == [.init(id: 0, cpus: [1, 3])])
        #expect(topology.cacheGroups.map(\.cpus) == [[1, 3]])
        #expect(topology.warnings == [])
    }

    @Test func affinityFromSystemCalls() throws {
        let fixture = try SysfsFixture.twoSocketsSMT()
        var system = SystemCalls.live
        system.affinityCPUs = { .success([4, 12]) }
        let topology = Topology.read(sysfsRoot: fixture.root, cgroupRoot: fixture.root, membershipFile: .some(nil), system: system)
        #expect(topology.cpus == [4, 12])
        #expect(topology.cores == [[4, 12]])
        system.affinityCPUs = { .failure(SystemError(errno: 1, call: "sched_getaffinity")) }
        let unknown = Topology.read(sysfsRoot: fixture.root, cgroupRoot: fixture.root, membershipFile: .some(nil), system: system)
        #expect(unknown.cpus == Array(0..<16))
        #expect(unknown.warnings.contains { $0.contains("sched_getaffinity") })
    }
}

extension SysfsFixture {
    /// Adds cpuN/nodeM links.
    func linking(_ links: [Int: Int]) -> SysfsFixture {
        for (cpu, node) in links { makeDirectory("\(SysfsFixture.cpu)/cpu\(cpu)/node\(node)") }
        return self
    }
}
