import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import Tasklets

/// A fake sysfs tree in a temporary directory, built file by file, in the
/// layout of `/sys/devices/system/{cpu,node}` (hwloc's tests work the same
/// way with captured trees). Removed when released.
final class SysfsFixture: @unchecked Sendable {
    let root: String

    init() throws {
        root = Self.scratch + "tasklets-sysfs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// tmpfs when there is one: thousands of tiny files on a busy disk are slow.
    static let scratch = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func write(_ relative: String, _ text: String) {
        let path = root + "/" + relative
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // Plain open/write: Foundation's atomic writes cost a rename each.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }

    func makeDirectory(_ relative: String) {
        try? FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }

    func remove(_ relative: String) { try? FileManager.default.removeItem(atPath: root + "/" + relative) }

    /// Every regular file, relative to the root.
    func files() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var result: [String] = []
        while let next = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + next, isDirectory: &isDirectory), !isDirectory.boolValue {
                result.append(next)
            }
        }
        return result.sorted()
    }

    /// The topology read from this tree, with no cgroup limit.
    func topology(affinity: [Int]?) -> Topology {
        Topology.read(sysfsRoot: root, cgroupRoot: root + "/no-cgroup", membershipFile: .some(nil),
                      affinity: .some(affinity), system: .live)
    }

    static let cpu = "devices/system/cpu"
    static let node = "devices/system/node"

    /// A whole machine. `nodes` maps node id to its CPUs, `distances` holds
    /// one row per node (ascending ids), `cores` the SMT sibling groups,
    /// `caches` the L3 groups; `links` adds the cpuN/nodeM links.
    static func machine(
        online: String, nodes: [(id: Int, cpus: String)], distances: [String]?,
        packages: [Int: Int] = [:], cores: [[Int]], caches: [[Int]]?, links: Bool = true,
        memoryOnly: [Int] = []
    ) throws -> SysfsFixture {
        let fixture = try SysfsFixture()
        fixture.write("\(cpu)/online", online + "\n")
        let allNodes = (nodes.map(\.id) + memoryOnly).sorted()
        fixture.write("\(node)/online", CPUList.format(allNodes) + "\n")
        fixture.write("\(node)/possible", CPUList.format(allNodes) + "\n")
        fixture.write("\(node)/has_cpu", CPUList.format(nodes.map(\.id)) + "\n")
        for id in memoryOnly { fixture.write("\(node)/node\(id)/cpulist", "\n") }
        for (index, id) in allNodes.enumerated() {
            if let distances, index < distances.count { fixture.write("\(node)/node\(id)/distance", distances[index] + "\n") }
        }
        for (id, list) in nodes {
            fixture.write("\(node)/node\(id)/cpulist", list + "\n")
            for cpu in (try? CPUList.parse(list)) ?? [] {
                let directory = "\(Self.cpu)/cpu\(cpu)"
                if links { fixture.makeDirectory("\(directory)/node\(id)") }
                fixture.write("\(directory)/topology/physical_package_id", "\(packages[cpu] ?? id)\n")
                let siblings = cores.first { $0.contains(cpu) } ?? [cpu]
                fixture.write("\(directory)/topology/core_cpus_list", CPUList.format(siblings) + "\n")
                fixture.write("\(directory)/topology/thread_siblings_list", CPUList.format(siblings) + "\n")
                guard let caches else { continue }
                let l3 = caches.first { $0.contains(cpu) } ?? [cpu]
                let levels: [(Int, String, [Int])] = [(1, "Data", siblings), (1, "Instruction", siblings), (2, "Unified", siblings), (3, "Unified", l3)]
                for (index, (level, type, shared)) in levels.enumerated() {
                    fixture.write("\(directory)/cache/index\(index)/level", "\(level)\n")
                    fixture.write("\(directory)/cache/index\(index)/type", type + "\n")
                    fixture.write("\(directory)/cache/index\(index)/shared_cpu_list", CPUList.format(shared) + "\n")
                }
            }
        }
        return fixture
    }

    /// 2 sockets x 4 cores x 2 threads: node/package 0 = 0-3,8-11, 1 = 4-7,12-15.
    static func twoSocketsSMT() throws -> SysfsFixture {
        try machine(
            online: "0-15", nodes: [(0, "0-3,8-11"), (1, "4-7,12-15")], distances: ["10 21", "21 10"],
            cores: (0..<8).map { [$0, $0 + 8] }, caches: [[0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7, 12, 13, 14, 15]])
    }

    /// 4 nodes of 2 CPUs, no SMT, an L3 per node, asymmetric distances.
    static let fourNodeDistances = ["10 16 16 22", "16 10 22 16", "17 22 10 16", "22 16 16 10"]
    static func fourNodes() throws -> SysfsFixture {
        try machine(
            online: "0-7", nodes: [(0, "0-1"), (1, "2-3"), (2, "4-5"), (3, "6-7")], distances: fourNodeDistances,
            cores: (0..<8).map { [$0] }, caches: [[0, 1], [2, 3], [4, 5], [6, 7]])
    }
}
