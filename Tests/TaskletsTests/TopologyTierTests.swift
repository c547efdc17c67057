import Testing
@testable import Tasklets

/// Each worker's victim tiers on the fixture machines.
@Suite struct TopologyTierTests {
    func tiers(_ placement: Placement, _ count: Int, _ topology: Topology) throws -> [[[Int]]] {
        VictimOrder.tiers(for: try placement.assign(workers: count, on: topology), on: topology).map(\.tiers)
    }

    @Test func oneNodeOneCacheIsUniform() throws {
        let topology = try SysfsFixture.machine(
            online: "0-7", nodes: [(0, "0-7")], distances: ["10"], cores: [], caches: [Array(0..<8)]
        ).topology(affinity: nil)
        for placement in [Placement.compact, .spread, .physicalCores, .unpinned, .cpus([7, 6, 5, 4])] {
            let orders = VictimOrder.tiers(for: try placement.assign(workers: 4, on: topology), on: topology)
            #expect(orders == (0..<4).map { VictimOrder.uniform(worker: $0, workerCount: 4) })
        }
        let alone = VictimOrder.tiers(for: try Placement.compact.assign(workers: 1, on: topology), on: topology)
        #expect(alone == [VictimOrder.uniform(worker: 0, workerCount: 1)])
        let blind = Topology.read(sysfsRoot: "/nonexistent-sysfs", cgroupRoot: "/nonexistent-sysfs",
                                  membershipFile: .some(nil), affinity: .some([0, 1, 2]), system: .live)
        #expect(VictimOrder.tiers(for: try Placement.compact.assign(workers: 3, on: blind), on: blind)
            == (0..<3).map { VictimOrder.uniform(worker: $0, workerCount: 3) })
    }

    @Test func twoSocketsWithSMT() throws {
        let topology = try SysfsFixture.twoSocketsSMT().topology(affinity: nil)
        // Spread over 4: workers 0 and 2 on node 0, 1 and 3 on node 1.
        #expect(try tiers(.spread, 4, topology) == [[[2], [1, 3]], [[3], [0, 2]], [[0], [1, 3]], [[1], [0, 2]]])
        // Compact over 4: all on socket 0's L3: one tier.
        #expect(try tiers(.compact, 4, topology) == (0..<4).map { VictimOrder.uniform(worker: $0, workerCount: 4).tiers })
        // Unpinned: no cache groups, nodes round-robin.
        #expect(try tiers(.unpinned, 4, topology) == [[[2], [1, 3]], [[3], [0, 2]], [[0], [1, 3]], [[1], [0, 2]]])
    }

    @Test func fourNodesAsymmetric() throws {
        let topology = try SysfsFixture.fourNodes().topology(affinity: nil)
        // Spread over 4: worker w on node w. Rows of the distance matrix:
        // 0: 10 16 16 22 / 1: 16 10 22 16 / 2: 17 22 10 16 / 3: 22 16 16 10.
        #expect(try tiers(.spread, 4, topology) == [[[1, 2], [3]], [[0, 3], [2]], [[3], [0], [1]], [[1, 2], [0]]])
        // Compact over 8: worker w on CPU w, node w/2, one L3 per node.
        let compact = try tiers(.compact, 8, topology)
        #expect(compact[0] == [[1], [2, 3, 4, 5], [6, 7]])
        #expect(compact[5] == [[4], [6, 7], [0, 1], [2, 3]])
    }

    @Test func cacheGroupsInsideANode() throws {
        // One node, two L3s (like an AMD CCX): cache group first, then node.
        let topology = try SysfsFixture.machine(
            online: "0-3", nodes: [(0, "0-3")], distances: ["10"], cores: [], caches: [[0, 1], [2, 3]]
        ).topology(affinity: nil)
        #expect(try tiers(.compact, 4, topology) == [[[1], [2, 3]], [[0], [2, 3]], [[3], [0, 1]], [[2], [0, 1]]])
    }

    @Test func sparseAndFake() throws {
        let sparse = try TopologyFixtureTests.sparse().topology(affinity: nil)
        // CPUs 0,1,2 on node 0 and 4,5 on node 2 (distance 30).
        #expect(try tiers(.compact, 5, sparse)[0] == [[1, 2], [3, 4]])
        #expect(try tiers(.compact, 5, sparse)[4] == [[3], [0, 1, 2]])
        let fake = try TopologyFixtureTests.fake(links: true).topology(affinity: nil)
        #expect(try tiers(.compact, 4, fake) == [[[1], [2, 3]], [[0], [2, 3]], [[3], [0, 1]], [[2], [0, 1]]])
    }
}
