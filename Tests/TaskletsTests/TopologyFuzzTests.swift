import Foundation
import Testing
@testable import Tasklets

/// Garbage in every file the reader touches: it must never crash or hang,
/// and what it returns must still be a consistent description.
@Suite struct TopologyFuzzTests {
    static let alphabet = Array("0123456789,-: \n\t-x\u{0}\u{FF}max".utf8)

    static func garbage(_ original: [UInt8], _ random: inout SplitMix) -> [UInt8] {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return Array(original.prefix(Int.random(in: 0...original.count, using: &random)))
        case 1: return (0..<Int.random(in: 0..<24, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 2: return (0..<Int.random(in: 0..<24, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? 0 }
        case 3:
            var bytes = original
            if !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            return bytes
        default: return original + original
        }
    }

    /// Every CPU of the result is in exactly one node, core and cache group.
    static func checkConsistent(_ topology: Topology, affinity: [Int]?) {
        let cpus = Set(topology.cpus)
        #expect(!cpus.isEmpty)
        if let affinity { #expect(cpus.isSubset(of: Set(affinity)) || topology.warnings.contains { $0.contains("assumed the mask") }) }
        #expect(topology.nodes.flatMap(\.cpus).sorted() == topology.cpus)
        #expect(topology.cores.flatMap { $0 }.sorted() == topology.cpus)
        #expect(topology.cacheGroups.flatMap(\.cpus).sorted() == topology.cpus)
        #expect(topology.packages.flatMap(\.cpus).sorted() == topology.cpus)
        for placement in [Placement.compact, .spread, .physicalCores, .unpinned] {
            let count = min(2, topology.cpus.count)
            if let places = try? placement.assign(workers: count, on: topology) {
                let orders = VictimOrder.tiers(for: places, on: topology)
                for (worker, order) in orders.enumerated() {
                    #expect(order.tiers.flatMap { $0 }.sorted() == (0..<count).filter { $0 != worker })
                }
            }
        }
    }

    @Test func garbageInEveryFile() throws {
        let fixture = try SysfsFixture.twoSocketsSMT()
        let files = fixture.files()
        var originals: [String: [UInt8]] = [:]
        for file in files {
            let text = (try? String(contentsOfFile: fixture.root + "/" + file, encoding: .utf8)) ?? ""
            originals[file] = Array(text.utf8)
        }
        // A hang in the reader stops the process (bounded) instead of CI.
        let originalBytes = originals
        try bounded(600, "fuzzing the topology reader") {
            Self.fuzz(fixture, files: files, originals: originalBytes)
        }
    }

    /// 400 rounds of garbage written into one file, or six at once in every
    /// fourth round, each followed by a consistency check of what is read.
    static func fuzz(_ fixture: SysfsFixture, files: [String], originals: [String: [UInt8]]) {
        var random = SplitMix(seed: 0x5EED)
        for round in 0..<400 {
            // One file in each round, several at once in every fourth.
            let victims = (0..<(round % 4 == 0 ? 6 : 1)).map { _ in files.randomElement(using: &random) ?? files[0] }
            for file in victims {
                let bytes = Self.garbage(originals[file] ?? [], &random)
                fixture.write(file, String(decoding: bytes, as: UTF8.self))
            }
            let affinity: [Int]? = round % 3 == 0 ? nil : Array(0..<16)
            Self.checkConsistent(fixture.topology(affinity: affinity), affinity: affinity)
            for file in victims { fixture.write(file, String(decoding: originals[file] ?? [], as: UTF8.self)) }
        }
    }

    @Test func missingFilesOneByOne() throws {
        let fixture = try SysfsFixture.fourNodes()
        // Files the reader does not need when the others are there: `possible`,
        // node cpulists (the cpuN/nodeM links decide), and either of the
        // two equivalent SMT sibling lists.
        // The instruction cache (index1) is never used either.
        let redundant = ["possible", "cpulist", "core_cpus_list", "thread_siblings_list", "index1/shared_cpu_list"]
        for file in fixture.files() where file.hasPrefix(SysfsFixture.node) || file.hasSuffix("online") || file.contains("cpu0/") {
            if redundant.contains(where: { file.hasSuffix("/" + $0) }) { continue }
            let original = (try? String(contentsOfFile: fixture.root + "/" + file, encoding: .utf8)) ?? ""
            fixture.remove(file)
            let topology = fixture.topology(affinity: nil)
            Self.checkConsistent(topology, affinity: nil)
            #expect(!topology.warnings.isEmpty, "no warning without \(file)")
            fixture.write(file, original)
        }
    }

    @Test func cpuListParser() {
        var random = SplitMix(seed: 42)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<16, using: &random)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &random) ? (Self.alphabet.randomElement(using: &random) ?? 0) : UInt8.random(in: 0...255, using: &random)
            }
            if let cpus = try? CPUList.parse(String(decoding: bytes, as: UTF8.self)) {
                #expect(cpus == Set(cpus).sorted())
                #expect(cpus.allSatisfy { (0...CPUList.maximumCPU).contains($0) })
            }
        }
    }

    @Test(arguments: [
        ("0-3,8,10-11", [0, 1, 2, 3, 8, 10, 11]), ("\n", []), (" 5 \n", [5]), ("3,1,2-3", [1, 2, 3]), ("0", [0]),
    ])
    func cpuListAccepts(text: String, expected: [Int]) throws {
        #expect(try CPUList.parse(text) == expected)
        #expect(try CPUList.parse(CPUList.format(expected)) == expected)
    }

    @Test(arguments: ["0-", "-1", "3-1", "1,,2", "1 2", "0x1", "0-4294967295", "65536", "1;2", "٣", "0-3:1/2"])
    func cpuListRejects(text: String) {
        #expect(throws: (any Error).self) { try CPUList.parse(text) }
    }
}
