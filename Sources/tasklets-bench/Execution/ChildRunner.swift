import Foundation
import TaskletsBenchKernels

/// Runs one plan cell in a child process pinned to a set of CPUs: the
/// harness re-executes itself (`/proc/self/exe run ...`) with
/// `TASKLETS_BENCH_PIN_CPUS` set, and reads back the child's records.
enum ChildRunner {
    static func run(_ plan: BenchPlan, cell: BenchPlan.Cell, cpus: [Int]) throws(BenchError) -> [RunRecord] {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("tasklets-bench-\(getpid())-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: output) }
        var arguments = [
            "run", "--kernel", plan.kernels.map(\.rawValue).joined(separator: ","),
            "--backend", cell.backend.rawValue, "--workers", String(cell.workers),
            "--repetitions", String(plan.repetitions), "--warmup", String(plan.warmup),
            "--records-output", output.path, "--quiet",
        ]
        for parameter in KernelParameter.allCases {
            arguments += ["--" + parameter.optionName, parameter.value(in: plan.parameters)]
        }
        var environment = ProcessInfo.processInfo.environment
        environment[Pinning.variable] = cpus.map(String.init).joined(separator: ",")
        let status = try spawnAndWait("/proc/self/exe", arguments, environment)
        guard let data = try? Data(contentsOf: output),
            let records = try? RunRecord.decodeInterchange(data)
        else {
            throw .backendFailed(
                backend: cell.backend.rawValue,
                reason: "the pinned child process for \(cell.workers) worker(s) exited with \(status) and left no results")
        }
        return records.map { record in
            var record = record
            record.pinnedCPUs = cpus
            return record
        }
    }

    /// Starts `path` with `arguments` and `environment`, waits for it, and
    /// returns its exit status (128 + signal for a killed child).
    private static func spawnAndWait(
        _ path: String, _ arguments: [String], _ environment: [String: String]
    ) throws(BenchError) -> Int32 {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, path, nil, nil, argv, envp)
        guard spawned == 0 else {
            throw .backendFailed(backend: "pinned child", reason: "posix_spawn failed: \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
