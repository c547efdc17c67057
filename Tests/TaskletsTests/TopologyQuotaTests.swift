import Testing
@testable import Tasklets

/// The cgroup CPU quota and the default worker count.
@Suite struct TopologyQuotaTests {
    func topology(_ fixture: SysfsFixture, cgroup: String, membership: String? = nil, affinity: [Int]) -> Topology {
        Topology.read(sysfsRoot: fixture.root + "/sys", cgroupRoot: fixture.root + "/" + cgroup,
                      membershipFile: .some(membership.map { fixture.root + "/" + $0 }),
                      affinity: .some(affinity), system: .live)
    }

    @Test func cgroupV2() throws {
        let fixture = try SysfsFixture()
        fixture.write("cg/cpu.max", "150000 100000\n")
        let topology = topology(fixture, cgroup: "cg", affinity: Array(0..<8))
        #expect(topology.cpuQuota?.workerLimit == 2)
        #expect(topology.cpuQuota?.cpus == 1.5)
        #expect(topology.defaultWorkerCount == 2)
        // Never more than the affinity mask.
        #expect(self.topology(fixture, cgroup: "cg", affinity: [3]).defaultWorkerCount == 1)
        fixture.write("cg/cpu.max", "max 100000\n")
        #expect(self.topology(fixture, cgroup: "cg", affinity: Array(0..<8)).cpuQuota == nil)
        fixture.write("cg/cpu.max", "1000 100000\n")
        #expect(self.topology(fixture, cgroup: "cg", affinity: Array(0..<8)).defaultWorkerCount == 1)
    }

    @Test func cgroupV1() throws {
        let fixture = try SysfsFixture()
        fixture.write("cg/cpu/cpu.cfs_quota_us", "250000\n")
        fixture.write("cg/cpu/cpu.cfs_period_us", "100000\n")
        #expect(topology(fixture, cgroup: "cg", affinity: Array(0..<8)).defaultWorkerCount == 3)
        fixture.write("cg/cpu/cpu.cfs_quota_us", "-1\n")
        #expect(topology(fixture, cgroup: "cg", affinity: Array(0..<8)).cpuQuota == nil)
    }

    @Test func tightestLevelOfTheHierarchyWins() throws {
        let fixture = try SysfsFixture()
        fixture.write("self-cgroup", "0::/a/b\n")
        fixture.write("cg/a/cpu.max", "200000 100000\n")
        fixture.write("cg/a/b/cpu.max", "max 100000\n")
        #expect(topology(fixture, cgroup: "cg", membership: "self-cgroup", affinity: Array(0..<8)).defaultWorkerCount == 2)
        fixture.write("self-cgroup", "4:memory:/x\n3:cpu,cpuacct:/docker/c1\n")
        fixture.write("cg/cpu,cpuacct/docker/c1/cpu.cfs_quota_us", "50000\n")
        fixture.write("cg/cpu,cpuacct/docker/c1/cpu.cfs_period_us", "100000\n")
        #expect(topology(fixture, cgroup: "cg", membership: "self-cgroup", affinity: Array(0..<8)).defaultWorkerCount == 1)
    }

    @Test(arguments: ["", "lots 100000", "100000", "5 0", "-5 100000", "99999999999999999999 1", "\u{0}\u{1}"])
    func garbageWarnsAndIsIgnored(content: String) throws {
        let fixture = try SysfsFixture()
        fixture.write("cg/cpu.max", content)
        let topology = topology(fixture, cgroup: "cg", affinity: [0, 1])
        #expect(topology.cpuQuota == nil)
        #expect(topology.defaultWorkerCount == 2)
        #expect(topology.warnings.contains { $0.contains("cpu.max") })
    }
}
