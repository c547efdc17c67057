import CTaskletsShims
import Synchronization
import Testing
@testable import Tasklets

#if canImport(Glibc)
import Glibc
#endif

/// This machine's real /sys and libnuma, whatever they allow.
@Suite struct TopologyLiveTests {
    @Test func realSysfsParsesWithoutWarnings() throws {
        let topology = Topology.current()
        #expect(topology.source == .sysfs(root: "/sys"))
        #expect(topology.warnings == [], "\(topology.warnings.joined(separator: "\n"))")
        guard case .success(let affinity) = SystemCalls.live.affinityCPUs() else { return }
        #expect(topology.cpus == affinity)
        #expect(!topology.nodes.isEmpty)
        #expect((1...affinity.count).contains(topology.defaultWorkerCount))
        let places = try Placement.compact.assign(workers: topology.defaultWorkerCount, on: topology)
        #expect(places.allSatisfy { $0.cpu.map(affinity.contains) == true })
    }

    /// Works with or without libnuma, and with memory policy allowed or not.
    @Test func nodeLocalMemoryProbe() throws {
        let reports = Mutex<[String]>([])
        let memory = NodeLocalMemory(system: .live) { message in reports.withLock { $0.append(message) } }
        let node = Topology.current().nodes.first?.id ?? 0
        let block = memory.allocate(bytes: 1 << 16, onNode: node)
        block.pointer.initializeMemory(as: UInt8.self, repeating: 7, count: 1 << 16)
        memory.free(block)
        if let reason = memory.unavailableReason {
            #expect(!block.isNodeLocal)
            #expect(reports.withLock { $0 } == ["node-local memory unavailable: \(reason)"])
        } else {
            #expect(block.isNodeLocal)
            #expect(reports.withLock { $0 }.isEmpty)
            // A node that does not exist falls back, once.
            for _ in 0..<2 { memory.free(memory.allocate(bytes: 64, onNode: 4096)) }
            #expect(reports.withLock { $0 } == ["node-local memory unavailable: node 4096 does not exist or has no memory"])
        }
    }

    /// libnuma's messages go to our numa_warn/numa_error, not to stderr.
    @Test func libnumaIsSilent() {
        guard ctasklets_numa_load() == Int32(CTASKLETS_NUMA_LOADED) else { return }
        #expect(ctasklets_numa_patched_slots() > 0)
        let before = ctasklets_numa_silenced_messages()
        #expect(ctasklets_numa_provoke_warning() == 0)
        #expect(ctasklets_numa_silenced_messages() > before)
    }

    @Test(arguments: [EPERM, ENOSYS])
    func memoryPolicyRefused(errno: Int32) {
        let loaded = Atomic<Bool>(false)
        var system = SystemCalls.live
        system.memoryPolicyErrno = { errno }
        system.numaLoad = { loaded.store(true, ordering: .relaxed); return nil }
        system.numaAllocateOnNode = { _, _ in Issue.record("libnuma called after a refusal"); return nil }
        let reports = Mutex<[String]>([])
        let memory = NodeLocalMemory(system: system) { message in reports.withLock { $0.append(message) } }
        for _ in 0..<3 { memory.free(memory.allocate(bytes: 100, onNode: 0)) }
        let wasLoaded = loaded.load(ordering: .relaxed)
        #expect(!wasLoaded)
        #expect(reports.withLock { $0.count } == 1)
        #expect(reports.withLock { $0.first?.hasPrefix("node-local memory unavailable: memory policy refused") } == true)
    }

    @Test func libnumaMissingOrFailing() {
        var system = SystemCalls.live
        system.memoryPolicyErrno = { 0 }
        system.numaLoad = { "libnuma.so.1: cannot open shared object file" }
        let reports = Mutex<[String]>([])
        let memory = NodeLocalMemory(system: system) { message in reports.withLock { $0.append(message) } }
        #expect(!memory.allocate(bytes: 8, onNode: 0).isNodeLocal)
        #expect(reports.withLock { $0 } == ["node-local memory unavailable: libnuma: libnuma.so.1: cannot open shared object file"])

        system.numaLoad = { nil }
        system.numaNodeSize = { $0 == 0 ? 1 << 30 : -1 }
        system.numaAllocateOnNode = { _, _ in nil }
        reports.withLock { $0.removeAll() }
        let failing = NodeLocalMemory(system: system) { message in reports.withLock { $0.append(message) } }
        failing.free(failing.allocate(bytes: 8, onNode: 0))
        failing.free(failing.allocate(bytes: 8, onNode: 0))
        #expect(reports.withLock { $0 } == ["node-local memory unavailable: numa_alloc_onnode(8, 0) failed"])
    }
}
