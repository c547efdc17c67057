/// Finding the CPU quota that applies to this process.
///
/// The process's cgroup comes from `/proc/self/cgroup` ("0::/path" for v2,
/// "N:cpu,cpuacct:/path" for v1). From that cgroup up to the root of the
/// hierarchy, every level may set a limit; the tightest one applies (Go 1.25
/// walks the hierarchy the same way). Inside a container without a cgroup
/// namespace the listed path does not exist under the container's mount;
/// the walk then reaches the mount's root, which is the container's cgroup.
/// Without a membership file only the root itself is read.
extension CPUQuota {
    /// The default cgroup mount point.
    public static let defaultCgroupRoot = "/sys/fs/cgroup"

    /// The tightest quota on the way from the process's cgroup to the root,
    /// or nil when none is set. Garbage in a file warns and is ignored.
    static func read(cgroupRoot: String, membershipFile: String?, reader: inout SysfsReader) -> CPUQuota? {
        var candidates: [(directory: String, version: Int)] = []
        var memberships: [(version: Int, controllers: String, path: String)] = []
        if let membershipFile, case .success(let bytes) = reader.system.readFile(membershipFile) {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                guard fields.count == 3, fields[2].hasPrefix("/") else { continue }
                let path = String(fields[2].trimmingWhitespace)
                if fields[0] == "0" && fields[1].isEmpty {
                    memberships.append((2, "", path))
                } else if fields[1].split(separator: ",").contains("cpu") {
                    memberships.append((1, String(fields[1]), path))
                }
            }
        }
        for membership in memberships {
            let mounts = membership.version == 2
                ? ["", "unified"]
                : [membership.controllers, "cpu", "cpu,cpuacct", "cpuacct,cpu"]
            for mount in mounts {
                var path = membership.path
                while true {
                    let relative = (mount.isEmpty ? "" : mount) + (path == "/" ? "" : path)
                    candidates.append((relative, membership.version))
                    if path == "/" || path.isEmpty { break }
                    path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                    if path.isEmpty { path = "/" }
                }
            }
        }
        if candidates.isEmpty {
            candidates = [("", 2), ("", 1), ("cpu", 1), ("cpu,cpuacct", 1)]
        }
        let quotaReader = SysfsReader(root: cgroupRoot, system: reader.system)
        var seen = Set<String>()
        var tightest: CPUQuota? = nil
        for candidate in candidates where seen.insert("\(candidate.version):\(candidate.directory)").inserted {
            var levelReader = quotaReader
            let found = candidate.version == 2
                ? v2(candidate.directory, &levelReader)
                : v1(candidate.directory, &levelReader)
            for warning in levelReader.warnings { reader.warn(warning) }
            if let found, tightest.map({ found.cpus < $0.cpus }) ?? true { tightest = found }
        }
        return tightest
    }

    private static func join(_ directory: String, _ file: String) -> String {
        directory.isEmpty ? file : (directory.hasPrefix("/") ? String(directory.dropFirst()) : directory) + "/" + file
    }

    /// cgroup v2 `cpu.max`: "max 100000" (no limit) or "QUOTA PERIOD".
    private static func v2(_ directory: String, _ reader: inout SysfsReader) -> CPUQuota? {
        let relative = join(directory, "cpu.max")
        guard let text = reader.text(relative) else { return nil }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        if words.first == "max" { return nil }
        guard words.count == 2, let quota = Int(words[0]), let period = Int(words[1]),
            quota > 0, period > 0, quota <= 1 << 40, period <= 1 << 40
        else {
            reader.warn("ignored \(reader.path(relative)): expected \"max PERIOD\" or \"QUOTA PERIOD\"")
            return nil
        }
        return CPUQuota(quota: quota, period: period, file: reader.path(relative))
    }

    /// cgroup v1 `cpu.cfs_quota_us` (-1: no limit) and `cpu.cfs_period_us`.
    private static func v1(_ directory: String, _ reader: inout SysfsReader) -> CPUQuota? {
        let quotaFile = join(directory, "cpu.cfs_quota_us")
        guard let quota = reader.integer(quotaFile, in: -1...(1 << 40)), quota != -1 else { return nil }
        guard quota > 0, let period = reader.integer(join(directory, "cpu.cfs_period_us"), in: 1...(1 << 40)) else {
            reader.warn("ignored \(reader.path(quotaFile)): no usable quota and period")
            return nil
        }
        return CPUQuota(quota: quota, period: period, file: reader.path(quotaFile))
    }
}
