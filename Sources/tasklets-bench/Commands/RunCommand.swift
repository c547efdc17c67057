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
            (what CI runs); --kernel, --backend and the parameter options still narrow or change it.
            """)

    @Option(help: "Comma-separated kernels, or all (see `tasklets-bench list`).") var kernel: String?
    @Option(help: "Comma-separated backends, or all.") var backend: String?
    @Option(help: "Comma-separated worker counts (default: 1 and every CPU of the affinity mask).") var workers: String?
    @Option(help: "Timed runs per configuration; the reports give their median (3 or more).") var repetitions: String?
    @Option(help: "Untimed runs before them.") var warmup: String?
    @Flag(help: "Quick vectors, every kernel and backend, checksums checked, 3 repetitions.") var smoke = false
    @Flag(help: ArgumentHelp(
        "For the pool backend, write its counters (steals by tier, tasklets, parks, wakes), placements and diagnostics on standard error: one JSON line per kernel and worker count, over all of that kernel's rounds."))
    var statistics = false
    @OptionGroup var parameters: KernelOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reportingErrors {
            let environment = ProcessInfo.processInfo.environment
            let plan = BenchPlan(
                kernels: try ArgumentLists.kernels(kernel ?? (smoke ? "all" : "fib,nqueens,uts,skew,sum")),
                backends: try ArgumentLists.backends(backend ?? "all"),
                workers: try workers.map(ArgumentLists.workers) ?? DefaultWorkers.list(),
                repetitions: try ArgumentLists.count(repetitions ?? (smoke ? "3" : "5"), option: "--repetitions", range: 3...1_000_000),
                warmup: try ArgumentLists.count(warmup ?? (smoke ? "0" : "1"), option: "--warmup", range: 0...1_000_000),
                parameters: try KernelParameters.resolve(
                    base: smoke ? .quick : .defaults, options: parameters.given, environment: environment))
            _ = try ArgumentLists.format(output.format == "internal" ? "json" : output.format)
            let outcome = PlanExecutor(plan: plan, showProgress: !output.quiet, showStatistics: statistics).execute()
            try output.emit(outcome, plan: plan, title: smoke ? "tasklets-bench smoke run (quick vectors)" : "tasklets-bench run")
        }
    }
}

/// The default worker counts: 1 and the CPUs of the affinity mask.
enum DefaultWorkers {
    static func list() -> [Int] {
        let cpus = max(1, (try? TaskletPool.affinityCPUs().count) ?? 1)
        return cpus == 1 ? [1] : [1, cpus]
    }
}
