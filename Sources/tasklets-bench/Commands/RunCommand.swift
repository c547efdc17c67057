import ArgumentParser
import Foundation
import Tasklets
import TaskletsBenchKernels

/// `tasklets-bench run`: any kernels on any backends and worker counts.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run chosen kernels on chosen backends and worker counts.",
        discussion: """
            Example: tasklets-bench run --kernel fib,uts --backend pool,dispatch --workers 1,2 --fib-n 35
            With --smoke: the quick vectors of docs/kernels.md on every kernel and backend \
            (what CI runs); --kernel, --backend and the parameter options still narrow or change it. \
            Kernel parameter defaults below are the spec's; --smoke uses the quick vectors instead.
            """)

    static let defaultKernels = "fib,nqueens,uts,skew,sum"

    @Option(
        help: "Comma-separated kernels, or all (default: \(RunCommand.defaultKernels); all with --smoke).",
        completion: .list(KernelName.allCases.map(\.rawValue) + ["all"]))
    var kernel: String?
    @Option(help: "Comma-separated backends, or all.", completion: .list(BackendName.allCases.map(\.rawValue) + ["all"]))
    var backend = "all"
    @Option(help: "Comma-separated worker counts; the default is 1 and every CPU of the affinity mask.")
    var workers = DefaultWorkers.text
    @Option(help: "Timed runs per configuration; the reports give their median, 3 or more (default: 5; 3 with --smoke).")
    var repetitions: String?
    @Option(help: "Untimed runs before them (default: 1; 0 with --smoke).") var warmup: String?
    @Flag(help: "Quick vectors, every kernel and backend, checksums checked, 3 repetitions.") var smoke = false
    @Flag(help: ArgumentHelp(
        "For the pool backend, write its counters (steals by tier, tasklets, parks, wakes), placements and diagnostics: one JSON line per kernel and worker count, over all of that kernel's rounds, on standard error (or --statistics-output)."))
    var statistics = false
    @Option(help: "Write the --statistics lines to this file instead of standard error (implies --statistics).", completion: .file())
    var statisticsOutput: String?
    @OptionGroup var parameters: KernelOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let plan = BenchPlan(
            kernels: try ArgumentLists.kernels(kernel ?? (smoke ? "all" : RunCommand.defaultKernels)),
            backends: try ArgumentLists.backends(backend),
            workers: try ArgumentLists.workers(workers),
            repetitions: try ArgumentLists.count(repetitions ?? (smoke ? "3" : "5"), option: "--repetitions", range: 3...1_000_000),
            warmup: try ArgumentLists.count(warmup ?? (smoke ? "0" : "1"), option: "--warmup", range: 0...1_000_000),
            parameters: try KernelParameters.resolve(
                base: smoke ? .quick : .defaults, options: parameters.given, environment: ProcessInfo.processInfo.environment))
        try output.checkFiles()
        var statisticsHandle: FileHandle? = statistics ? FileHandle.standardError : nil
        if let statisticsOutput {
            try OutputPath.check(statisticsOutput, option: "--statistics-output")
            guard FileManager.default.createFile(atPath: statisticsOutput, contents: nil),
                let handle = FileHandle(forWritingAtPath: statisticsOutput)
            else {
                throw BenchError.unwritable(option: "--statistics-output", path: statisticsOutput, reason: "cannot create it")
            }
            statisticsHandle = handle
        }
        let outcome = PlanExecutor(plan: plan, showProgress: !output.quiet, statistics: statisticsHandle).execute()
        try output.emit(outcome, plan: plan, title: smoke ? "tasklets-bench smoke run (quick vectors)" : "tasklets-bench run")
    }
}

/// The default worker counts: 1 and the CPUs of the affinity mask.
enum DefaultWorkers {
    static func list() -> [Int] {
        let cpus = max(1, (try? TaskletPool.affinityCPUs().count) ?? 1)
        return cpus == 1 ? [1] : [1, cpus]
    }

    /// The same as `--workers` text ("1,2").
    static var text: String { list().map(String.init).joined(separator: ",") }
}
