import Foundation
import Tasklets

/// What the JSON header says about the machine and the build.
struct MachineInfo {
    var cpuModel: String
    var onlineCPUs: Int
    var affinityCPUs: [Int]
    var numaNodes: String
    var kernel: String
    var swiftVersion: String
    var gitCommit: String?
    var date: String

    static func current() -> MachineInfo {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return MachineInfo(
            cpuModel: cpuModel(),
            onlineCPUs: sysconf(Int32(_SC_NPROCESSORS_ONLN)),
            affinityCPUs: (try? TaskletPool.affinityCPUs()) ?? [],
            numaNodes: read("/sys/devices/system/node/online") ?? "unknown",
            kernel: "Linux " + release,
            swiftVersion: compilerVersion,
            gitCommit: gitCommit(),
            date: ISO8601DateFormatter().string(from: Date()))
    }

    var json: JSONValue {
        .object([
            ("cpu_model", .string(cpuModel)),
            ("online_cpus", .int(onlineCPUs)),
            ("affinity_cpus", .array(affinityCPUs.map(JSONValue.int))),
            ("numa_nodes", .string(numaNodes)),
            ("kernel", .string(kernel)),
            ("swift_version", .string(swiftVersion)),
            ("git_commit", gitCommit.map(JSONValue.string) ?? .null),
            ("date", .string(date)),
        ])
    }

    /// The Swift compiler that built this binary (a static binary may run
    /// where no toolchain is installed, so this is decided at compile time).
    static let compilerVersion: String = {
        #if compiler(>=6.4)
        return "6.4 or later"
        #elseif compiler(>=6.3.1)
        return "6.3.1"
        #elseif compiler(>=6.3)
        return "6.3"
        #else
        return "before 6.3"
        #endif
    }()

    private static func cpuModel() -> String {
        guard let info = read("/proc/cpuinfo") else { return "unknown" }
        for line in info.split(separator: "\n") where line.hasPrefix("model name") || line.hasPrefix("Model") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    private static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `TASKLETS_BENCH_COMMIT` if set (the scripts set it), else
    /// `git rev-parse HEAD` in the current directory, else nil.
    private static func gitCommit() -> String? {
        if let commit = ProcessInfo.processInfo.environment["TASKLETS_BENCH_COMMIT"], !commit.isEmpty { return commit }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let commit = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.isEmpty ? nil : commit
    }
}
