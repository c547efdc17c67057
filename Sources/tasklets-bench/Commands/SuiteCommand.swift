import ArgumentParser
import Foundation
import TaskletsBenchKernels

/// The default job (`tasklets-bench` with no arguments): what the pool is
/// for, in under a minute on 2 cores (about 30 s), in three parts. Scaling: kernels
/// large enough to scale, on sequential code and the pool, at 1 worker and
/// at every CPU. Alternatives: the pool, Dispatch and TaskGroup on the same
/// work at every CPU (fib and nqueens smaller, since TaskGroup spends
/// microseconds per task). Idling: the pool's wake-up latency and idle CPU.
/// One table, a short summary and, with gnuplot, a PNG plot.
struct SuiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "The default suite (what `tasklets-bench` with no arguments runs, under a minute on 2 cores).",
        discussion: """
            Scaling: fib 34, nqueens 13, uts (seed 8) and map (10^7 Ints) on sequential code and the pool \
            at 1 worker and at every CPU. Alternatives, at every CPU: fib 27, nqueens 11, uts and map on \
            the pool, Dispatch and TaskGroup (map: no TaskGroup). Idling: the pool's wake-up latency and \
            idle CPU (wake-latency; idle-burn with 100 fork-joins per spacing). Parameter options and \
            environment variables apply to all three parts. The table ends with a summary; with gnuplot \
            installed, a PNG plot of the speedups (apt-get install gnuplot-nox).
            """)

    @Option(help: "Timed runs per configuration; the reports give their median (3 or more).") var repetitions = "5"
    @Option(help: "Untimed runs before them.") var warmup = "1"
    @Option(help: "Comma-separated worker counts; the default is 1 and every CPU of the affinity mask.")
    var workers = DefaultWorkers.text
    /// Under `results/`, where the scripts write too (git ignores it).
    static let defaultPlot = "results/tasklets-bench-suite.png"

    @Option(help: "Where to draw the speedup plot (PNG, needs gnuplot; table format only).", completion: .file())
    var plot = SuiteCommand.defaultPlot
    @Flag(help: "Draw no plot.") var noPlot = false
    @OptionGroup var parameters: KernelOptions
    @OptionGroup var output: OutputOptions

    /// The kernels of the scaling and alternatives parts.
    static let computeKernels: [KernelName] = [.fib, .nqueens, .uts, .map]
    /// The kernels of the idling part, on the pool at the most workers.
    static let idleKernels: [KernelName] = [.wakeLatency, .idleBurn]

    /// The scaling part's parameters: the pool's runs last tens of
    /// milliseconds, long enough for 2 workers to show their speedup (fib
    /// 30 already gives T1/T2 1.99 on a quiet 2-core machine).
    static let scalingParameters: KernelParameters = {
        var parameters = KernelParameters.defaults
        parameters.fibN = 34
        parameters.nqN = 13
        parameters.utsSeed = 8
        parameters.mapN = 10_000_000
        parameters.idleCount = 100
        return parameters
    }()

    /// The alternatives part's: fib and nqueens smaller, so that TaskGroup
    /// (1-2 µs per task here) stays within seconds.
    static let alternativesParameters: KernelParameters = {
        var parameters = scalingParameters
        parameters.fibN = 27
        parameters.nqN = 11
        return parameters
    }()

    func run() throws {
        let counts = try ArgumentLists.workers(workers)
        let most = counts.max() ?? 1
        let environment = ProcessInfo.processInfo.environment
        let scaling = BenchPlan(
            kernels: SuiteCommand.computeKernels, backends: [.sequential, .pool], workers: counts,
            repetitions: try ArgumentLists.count(repetitions, option: "--repetitions", range: 3...1_000_000),
            warmup: try ArgumentLists.count(warmup, option: "--warmup", range: 0...1_000_000),
            parameters: try KernelParameters.resolve(
                base: SuiteCommand.scalingParameters, options: parameters.given, environment: environment))
        var alternatives = scaling
        alternatives.backends = [.pool, .dispatch, .taskgroup]
        alternatives.workers = [most]
        alternatives.repetitions = 3
        alternatives.parameters = try KernelParameters.resolve(
            base: SuiteCommand.alternativesParameters, options: parameters.given, environment: environment)
        var idling = scaling
        idling.kernels = SuiteCommand.idleKernels
        idling.backends = [.pool]
        idling.workers = [most]
        idling.repetitions = 3
        idling.warmup = 0
        try output.checkFiles()
        let drawPlot = !noPlot && output.format == .table && output.recordsOutput == nil
        if drawPlot {
            if plot == SuiteCommand.defaultPlot {
                try? FileManager.default.createDirectory(atPath: "results", withIntermediateDirectories: true)
            }
            try OutputPath.check(plot, option: "--plot")
        }

        let loadAtStart = SuiteSummary.loadAverage()
        let started = Date()
        var outcome = PlanExecutor.Outcome(records: [], notes: [])
        for plan in [scaling, alternatives, idling] {
            let part = PlanExecutor(plan: plan, showProgress: !output.quiet).execute()
            outcome.records += part.records
            outcome.notes += part.notes.filter { !outcome.notes.contains($0) }
        }
        let seconds = Date().timeIntervalSince(started)
        let title = "tasklets-bench default suite: medians of \(scaling.repetitions) runs after \(scaling.warmup) warm-up "
            + "(the alternatives and idling parts: 3), " + String(format: "%.0f s", seconds)
        var epilogue = ""
        if output.format == .table {
            let summary = Summary(outcome.records)
            let sizes = SuiteSummary.Sizes(scaling: scaling.parameters, alternatives: alternatives.parameters)
            epilogue = "\n" + SuiteSummary.render(summary, workers: most, sizes: sizes, loadAtStart: loadAtStart)
            if drawPlot { epilogue += SuitePlot.draw(summary, workers: most, sizes: sizes, to: plot) + "\n" }
        }
        try output.emit(outcome, plan: scaling, title: title, epilogue: epilogue)
    }
}
