/// Reading a `Topology` from sysfs: the entry points and the CPU set.
///
/// The order matters: the usable CPUs come first (online, intersected with
/// the affinity mask), and every later step (nodes, packages, cores, caches)
/// only ever describes those CPUs, so a garbled file can misgroup CPUs but
/// never add one the process may not run on.
extension Topology {
    /// The topology of this machine as this process may use it: `/sys`,
    /// the calling thread's affinity mask and the cgroup CPU quota.
    public static func current() -> Topology {
        read(system: .live)
    }

    /// Reads the topology under `sysfsRoot` (a copy of `/sys`, such as one
    /// made by hwloc-gather-topology) and a cgroup tree under `cgroupRoot`,
    /// intersected with `affinity` (nil: every online CPU is usable).
    /// The process's cgroup membership (`/proc/self/cgroup`) is consulted
    /// only for the default `cgroupRoot`; under any other root, the limit in
    /// the root directory itself applies.
    public init(sysfsRoot: String = "/sys", cgroupRoot: String = CPUQuota.defaultCgroupRoot, affinity: [Int]?) {
        self = Topology.read(sysfsRoot: sysfsRoot, cgroupRoot: cgroupRoot, affinity: .some(affinity), system: .live)
    }

    /// The reader behind both public entry points. `affinity` nil means
    /// "ask `system`"; `.some(nil)` means "no mask".
    static func read(
        sysfsRoot: String = "/sys", cgroupRoot: String = CPUQuota.defaultCgroupRoot,
        membershipFile: String?? = nil, affinity: [Int]?? = nil, system: SystemCalls
    ) -> Topology {
        var reader = SysfsReader(root: sysfsRoot, system: system)
        let mask: [Int]?
        switch affinity {
        case .some(let given): mask = given
        case .none:
            switch system.affinityCPUs() {
            case .success(let cpus): mask = cpus
            case .failure(let error):
                reader.warn("\(error): assumed every online CPU is usable")
                mask = nil
            }
        }
        let membership = membershipFile ?? (cgroupRoot == CPUQuota.defaultCgroupRoot ? "/proc/self/cgroup" : nil)
        let quota = CPUQuota.read(cgroupRoot: cgroupRoot, membershipFile: membership, reader: &reader)
        var discovery = TopologyDiscovery(reader: reader, affinity: mask)
        return discovery.run(quota: quota)
    }
}

/// The state of one reading, step by step (see Topology+Nodes.swift,
/// Topology+Cores.swift and Topology+Caches.swift).
struct TopologyDiscovery {
    static let cpuDirectory = "devices/system/cpu"
    static let nodeDirectory = "devices/system/node"
    /// Warnings beyond this many are summarized in one line.
    static let maximumWarnings = 64

    var reader: SysfsReader
    let affinity: [Int]?
    var cpus: [Int] = []
    var nodeOfCPU: [Int: Int] = [:]

    init(reader: SysfsReader, affinity: [Int]?) {
        self.reader = reader
        self.affinity = affinity
    }

    func cpuPath(_ cpu: Int, _ file: String) -> String { "\(Self.cpuDirectory)/cpu\(cpu)/\(file)" }

    /// Warns once for a list of CPUs that share a fallback.
    mutating func warn(cpus affected: [Int], _ message: String) {
        guard !affected.isEmpty else { return }
        reader.warn("CPUs \(CPUList.format(affected)): \(message)")
    }

    mutating func run(quota: CPUQuota?) -> Topology {
        let root = reader.root
        let hasSysfs = reader.isDirectory(Self.cpuDirectory)
        cpus = usableCPUs(hasSysfs: hasSysfs)
        if !hasSysfs {
            reader.warn("no sysfs at \(reader.path(Self.cpuDirectory)): assumed one node 0, one package, no SMT siblings and one cache group")
            for cpu in cpus { nodeOfCPU[cpu] = 0 }
            return build(
                source: .assumed(reason: "no sysfs at \(root)"), distances: [:], memoryOnlyNodes: [],
                packageOf: { _ in 0 }, cores: cpus.map { [$0] }, caches: [(nil, cpus)], quota: quota)
        }
        let nodes = readNodes()
        let distances = readDistances(nodeIDs: nodes.online)
        let packageOf = readPackages()
        let cores = readCores()
        let caches = readCaches()
        return build(
            source: .sysfs(root: root), distances: distances, memoryOnlyNodes: nodes.memoryOnly,
            packageOf: packageOf, cores: cores, caches: caches, quota: quota)
    }

    /// Online CPUs intersected with the affinity mask.
    mutating func usableCPUs(hasSysfs: Bool) -> [Int] {
        var online = reader.cpuList("\(Self.cpuDirectory)/online")
        if online == nil, hasSysfs {
            let listed = reader.numberedEntries(Self.cpuDirectory, prefix: "cpu").filter { cpu in
                reader.integer(cpuPath(cpu, "online"), in: 0...1) != 0
            }
            if !listed.isEmpty {
                reader.warn("no usable \(reader.path(Self.cpuDirectory))/online: assumed the cpuN directories not marked offline (\(CPUList.format(listed)))")
                online = listed
            }
        }
        var mask = affinity
        if mask?.isEmpty == true {
            reader.warn("empty affinity mask: ignored")
            mask = nil
        }
        switch (online, mask) {
        case (nil, nil):
            reader.warn("neither sysfs nor the affinity mask lists CPUs: assumed CPU 0 alone")
            return [0]
        case (nil, let mask?):
            if hasSysfs { reader.warn("no online CPU list: assumed the affinity mask's CPUs are online") }
            return Set(mask).sorted()
        case (let online?, nil):
            guard !online.isEmpty else {
                reader.warn("sysfs lists no online CPU: assumed CPU 0 alone")
                return [0]
            }
            return online
        case (let online?, let mask?):
            let onlineSet = Set(online)
            let usable = Set(mask).filter(onlineSet.contains).sorted()
            if usable.isEmpty {
                reader.warn("sysfs lists none of the affinity mask's CPUs (\(CPUList.format(mask))) as online: assumed the mask")
                return Set(mask).sorted()
            }
            let offline = Set(mask).subtracting(onlineSet).sorted()
            if !offline.isEmpty {
                warn(cpus: offline, "in the affinity mask but offline in sysfs: ignored")
            }
            return usable
        }
    }
}
