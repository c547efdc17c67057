import ArgumentParser
import Foundation
import TaskletsBenchKernels

/// The default job: every compute kernel on every backend at 1 worker and
/// at every CPU, sized to finish within 2 minutes on 2 cores, as one table.
struct SuiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "The default suite (what `tasklets-bench` with no arguments runs).",
        discussion: """
            Parameters are the spec's defaults except where TaskGroup would take too long \
            (fib, nqueens, uts are smaller); every backend gets the same parameters. Parameter \
            options and environment variables still apply.
            """)

    @Option(help: "Timed runs per configuration (3 or more).") var repetitions: String = "5"
    @Option(help: "Untimed runs before them.") var warmup: String = "1"
    @OptionGroup var parameters: KernelOptions
    @OptionGroup var output: OutputOptions

    /// The suite's parameters: the spec's defaults, with fib, nqueens and
    /// uts reduced so that the TaskGroup backend (microseconds per task)
    /// keeps the suite under 2 minutes.
    static let suiteParameters: KernelParameters = {
        var parameters = KernelParameters.defaults
        parameters.fibN = 25
        parameters.nqN = 10
        parameters.utsSeed = 8
        parameters.utsWork = 160
        return parameters
    }()

    func run() throws {
        try reportingErrors {
            let plan = BenchPlan(
                kernels: KernelName.computeKernels,
                backends: BackendName.allCases,
                workers: DefaultWorkers.list(),
                repetitions: try ArgumentLists.count(repetitions, option: "--repetitions", range: 3...1_000_000),
                warmup: try ArgumentLists.count(warmup, option: "--warmup", range: 0...1_000_000),
                parameters: try KernelParameters.resolve(
                    base: SuiteCommand.suiteParameters, options: parameters.given,
                    environment: ProcessInfo.processInfo.environment))
            _ = try ArgumentLists.format(output.format)
            let started = Date()
            let outcome = PlanExecutor(plan: plan, showProgress: !output.quiet).execute()
            let seconds = Date().timeIntervalSince(started)
            let title = "tasklets-bench default suite: median of \(plan.repetitions) runs after \(plan.warmup) warm-up, "
                + String(format: "%.0f s", seconds)
            try output.emit(outcome, plan: plan, title: title)
        }
    }
}
