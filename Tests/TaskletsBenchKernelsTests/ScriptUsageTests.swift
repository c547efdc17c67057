import Foundation
import TaskletsBenchKernels
import Testing

/// The scripts' bad-input table (scripts/lib.sh): a usage error exits 2 with
/// one `<script>: ...` line, before anything is installed, built or run.
/// Each script runs with fake `apt-get`, `apt`, `swift`, `go`, `gnuplot` and
/// friends first on PATH that only record that they were called.
@Suite(.enabled(if: Locations.bash != nil, "bash is not installed"))
struct ScriptUsageTests {
    static let badInputs: [(String, [String], String)] = [
        ("scaling.sh", ["--kernels", "fibb"], "unknown kernel 'fibb' in --kernels"),
        ("scaling.sh", ["--backends", "pool,rayon"], "unknown backend 'rayon' in --backends"),
        ("scaling.sh", ["--kernels"], "--kernels needs a value"),
        ("scaling.sh", ["--max-workers", "0"], "--max-workers must be a whole number from 1"),
        ("scaling.sh", ["--repetitions", "2"], "--repetitions must be a whole number from 3"),
        ("scaling.sh", ["--binary", "/nonexistent/tasklets-bench"], "is not an executable file"),
        ("scaling.sh", ["--bogus"], "unknown option --bogus"),
        ("compare.sh", ["HEAD"], "expected two commits"),
        ("compare.sh", ["--kernels", "fib,", "A", "B"], "has an empty name"),
        ("compare.sh", ["--rounds", "0", "A", "B"], "--rounds must be a whole number from 1"),
        ("compare.sh", ["--workers", "1,x", "A", "B"], "--workers must be whole numbers"),
        ("profile.sh", [], "name a KERNEL"),
        ("profile.sh", ["fibb"], "unknown kernel 'fibb'"),
        ("profile.sh", ["--backend", "rayon", "fib"], "unknown backend 'rayon'"),
        ("profile.sh", ["--tool", "gdb", "fib"], "--tool must be auto, perf or callgrind"),
        ("go-pingpong.sh", ["--runs", "x"], "--runs must be a whole number from 1"),
        ("go-pingpong.sh", ["--bogus"], "unknown option --bogus"),
        ("soak.sh", ["--tasklets", "many"], "--tasklets must be a whole number"),
        ("soak.sh", ["--sanitize", "memory"], "--sanitize must be thread or address"),
        ("modelcheck.sh", ["--bogus"], "unknown option '--bogus'"),
        ("numa-qemu.sh", ["--timeout", "soon"], "--timeout needs a whole number of seconds"),
        ("numa-qemu.sh", ["--bogus"], "unknown option --bogus"),
        ("inline-check.sh", ["--max-per-element", "0"], "--max-per-element must be a whole number from 1"),
        ("inline-check.sh", ["--binary", "/nonexistent/tasklets-bench"], "is not an executable file"),
        ("inline-check.sh", ["--bogus"], "unknown option '--bogus'"),
        ("arc-check.sh", ["--binary"], "--binary needs a value"),
        ("arc-check.sh", ["--binary", "/nonexistent/tasklets-bench"], "is not an executable file"),
        ("arc-check.sh", ["--bogus"], "unknown option '--bogus'"),
    ]

    /// Tools a script would install or run once its arguments were accepted.
    static let recordedTools = ["apt-get", "apt", "sudo", "swift", "go", "gnuplot", "perf", "valgrind", "qemu-system-x86_64", "g++", "spin", "git"]

    @Test(arguments: ScriptUsageTests.badInputs)
    func usageErrorsExitTwoBeforeInstallingAnything(script: String, arguments: [String], fragment: String) throws {
        let fakes = NSTemporaryDirectory() + "tasklets-bench-fakes-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: fakes, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: fakes) }
        let log = fakes + "/called.log"
        for tool in ScriptUsageTests.recordedTools {
            let path = fakes + "/" + tool
            try "#!/bin/sh\necho \"\(tool) $*\" >> '\(log)'\nexit 0\n".write(toFile: path, atomically: false, encoding: .utf8)
            chmod(path, 0o755)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = fakes + ":/usr/local/bin:/usr/bin:/bin"
        let result = try Command.run(
            Locations.bash!, [Locations.repository + "/scripts/" + script] + arguments,
            environment: environment, directory: fakes, timeout: 30)
        #expect(!result.timedOut)
        #expect(result.status == 2, "\(script) \(arguments): status \(result.status), \(result.standardError)")
        #expect(result.standardError.contains(fragment), "\(script) \(arguments): \(result.standardError)")
        let called = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(called.isEmpty, "\(script) \(arguments) ran \(called) before rejecting its arguments")
    }

    /// scripts/lib.sh checks names without a binary: its lists must be the
    /// harness's.
    @Test func theScriptsKnowTheHarnessNames() throws {
        let library = try String(contentsOfFile: Locations.repository + "/scripts/lib.sh", encoding: .utf8)
        func list(_ variable: String) -> [String] {
            guard let line = library.split(separator: "\n").first(where: { $0.hasPrefix(variable + "=\"") }) else { return [] }
            return line.dropFirst(variable.count + 2).dropLast().split(separator: " ").map(String.init)
        }
        #expect(list("BENCH_KERNELS") == KernelName.allCases.map(\.rawValue))
        #expect(list("BENCH_BACKENDS") == BackendName.allCases.map(\.rawValue))
    }
}
