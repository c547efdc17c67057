import Testing
@testable import Tasklets

/// Placement policies on the fixture machines, and their parsing.
@Suite struct TopologyPlacementTests {
    func cpus(_ placement: Placement, _ count: Int, _ topology: Topology) throws -> [Int?] {
        try placement.assign(workers: count, on: topology).map(\.cpu)
    }

    @Test func twoSocketsWithSMT() throws {
        let topology = try SysfsFixture.twoSocketsSMT().topology(affinity: nil)
        #expect(try cpus(.compact, 16, topology) == [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15])
        #expect(try cpus(.compact, 3, topology) == [0, 8, 1])
        #expect(try cpus(.spread, 16, topology) == [0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15])
        #expect(try Placement.spread.assign(workers: 4, on: topology).map(\.node) == [0, 1, 0, 1])
        #expect(try cpus(.physicalCores, 8, topology) == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try cpus(.cpus([5, 0]), 2, topology) == [5, 0])
        #expect(try Placement.cpus([5, 0]).assign(workers: 2, on: topology).map(\.node) == [1, 0])
        #expect(try cpus(.unpinned, 5, topology) == [nil, nil, nil, nil, nil])
        #expect(try Placement.unpinned.assign(workers: 5, on: topology).map(\.node) == [0, 1, 0, 1, 0])
        #expect(throws: TopologyError.tooManyWorkers(requested: 9, available: 8, placement: "cores")) {
            try Placement.physicalCores.assign(workers: 9, on: topology)
        }
        #expect(throws: TopologyError.tooManyWorkers(requested: 17, available: 16, placement: "compact")) {
            try Placement.compact.assign(workers: 17, on: topology)
        }
        #expect(throws: TopologyError.tooManyWorkers(requested: 3, available: 2, placement: "cpus:0-1")) {
            try Placement.cpus([0, 1]).assign(workers: 3, on: topology)
        }
        #expect(throws: TopologyError.duplicateCPU(1)) { try Placement.cpus([1, 1]).assign(workers: 2, on: topology) }
        #expect(throws: TopologyError.invalidWorkerCount(0)) { try Placement.unpinned.assign(workers: 0, on: topology) }
    }

    @Test func fourNodes() throws {
        let topology = try SysfsFixture.fourNodes().topology(affinity: nil)
        #expect(try cpus(.compact, 8, topology) == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try cpus(.spread, 8, topology) == [0, 2, 4, 6, 1, 3, 5, 7])
        #expect(try cpus(.physicalCores, 8, topology) == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(try Placement.unpinned.assign(workers: 6, on: topology).map(\.node) == [0, 1, 2, 3, 0, 1])
    }

    @Test func sparseNodes() throws {
        let topology = try TopologyFixtureTests.sparse().topology(affinity: nil)
        #expect(try cpus(.compact, 5, topology) == [0, 1, 2, 4, 5])
        #expect(try cpus(.spread, 5, topology) == [0, 4, 1, 5, 2])
        #expect(try Placement.unpinned.assign(workers: 3, on: topology).map(\.node) == [0, 2, 0])
        #expect(throws: TopologyError.cpuOutsideAffinity(cpu: 3, allowed: [0, 1, 2, 4, 5])) {
            try Placement.cpus([3]).assign(workers: 1, on: topology)
        }
    }

    @Test func numaFake() throws {
        let topology = try TopologyFixtureTests.fake(links: true).topology(affinity: nil)
        #expect(try cpus(.spread, 4, topology) == [0, 2, 1, 3])
        #expect(try Placement.compact.assign(workers: 4, on: topology).map(\.node) == [0, 0, 1, 1])
    }

    @Test func affinityIntersection() throws {
        let topology = try SysfsFixture.machine(
            online: "0-7", nodes: [(0, "0-7")], distances: ["10"], cores: [], caches: [Array(0..<8)]
        ).topology(affinity: [1, 3])
        #expect(try cpus(.compact, topology.defaultWorkerCount, topology) == [1, 3])
        #expect(try cpus(.spread, 2, topology) == [1, 3])
        #expect(throws: TopologyError.cpuOutsideAffinity(cpu: 0, allowed: [1, 3])) {
            try Placement.cpus([0]).assign(workers: 1, on: topology)
        }
        #expect(throws: TopologyError.tooManyWorkers(requested: 3, available: 2, placement: "compact")) {
            try Placement.compact.assign(workers: 3, on: topology)
        }
    }

    @Test(arguments: [
        ("compact", Placement.compact), ("Spread", .spread), (" cores\n", .physicalCores),
        ("physical-cores", .physicalCores), ("unpinned", .unpinned), ("cpus:0,2,4-6", .cpus([0, 2, 4, 5, 6])),
        ("CPUS: 3 ", .cpus([3])),
    ])
    func parsing(text: String, expected: Placement) throws {
        #expect(try Placement(parsing: text) == expected)
        #expect(try Placement(parsing: expected.description) == expected)
    }

    @Test(arguments: ["", "compactt", "cpus:", "cpus:1-0", "cpus:a", "cpus:0,,1", "cpus:99999999", "scatter"])
    func parsingRejects(text: String) {
        #expect(throws: TopologyError.invalidPlacement(text)) { try Placement(parsing: text) }
    }

    @Test func environment() throws {
        var system = SystemCalls.live
        system.environment = { $0 == Placement.environmentVariable ? "cpus:1,3" : nil }
        #expect(try Placement.fromEnvironment(system: system) == .cpus([1, 3]))
        system.environment = { _ in nil }
        #expect(try Placement.fromEnvironment(system: system) == nil)
        system.environment = { _ in "everywhere" }
        #expect(throws: TopologyError.invalidPlacement("everywhere")) { try Placement.fromEnvironment(system: system) }
    }
}
