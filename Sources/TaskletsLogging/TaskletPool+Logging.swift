#if Logging
import Logging
import Tasklets

extension TaskletPool {
    /// Starts a pool whose diagnostics go to `logger`: the problems it works
    /// around (a worker it could not pin, node-local memory it could not
    /// get, stack overflow reports it could not set up...) as warnings, and
    /// the events of supervision (a spare worker started, a long tasklet)
    /// as notices. With `logger` nil they all go to standard error instead
    /// (`TaskletPool.writeDiagnosticsToStandardError`). The other
    /// parameters are those of `init(workers:placement:stackSize:supervision:errorHandler:)`.
    ///
    /// ```swift
    /// let pool = try TaskletPool(workers: 8, logger: Logger(label: "render-pool"))
    /// ```
    public convenience init(
        workers: Int? = nil,
        placement: Placement? = nil,
        stackSize: Int? = nil,
        supervision: Supervision? = nil,
        errorHandler: @escaping @Sendable (any Error) -> Void = TaskletPool.reportToStandardError,
        logger: Logger?
    ) throws(TaskletPoolError) {
        try self.init(
            workers: workers, placement: placement, stackSize: stackSize, supervision: supervision,
            errorHandler: errorHandler,
            diagnosticHandler: logger.map(TaskletPool.logDiagnostics(to:)) ?? TaskletPool.writeDiagnosticsToStandardError)
    }

    /// A diagnostic handler that logs to `logger`, for
    /// `init(workers:placement:stackSize:supervision:errorHandler:diagnosticHandler:)`
    /// when you combine it with a handler of your own.
    ///
    /// Each message is the diagnostic's one line; its metadata has
    /// `tasklets.diagnostic` (the kind's name, e.g. `pinning_refused`), and
    /// where they apply `tasklets.worker`, and for a long tasklet
    /// `tasklets.running_for_ms`, `tasklets.held_work_back` and `tasklets.name`.
    public static func logDiagnostics(to logger: Logger) -> DiagnosticHandler {
        { diagnostic in
            var metadata: Logger.Metadata = ["tasklets.diagnostic": "\(diagnostic.kind.name)"]
            if let worker = diagnostic.worker { metadata["tasklets.worker"] = "\(worker)" }
            if let long = diagnostic.longTasklet {
                let (seconds, attoseconds) = long.runningFor.components
                metadata["tasklets.running_for_ms"] = "\(seconds * 1_000 + attoseconds / 1_000_000_000_000_000)"
                metadata["tasklets.held_work_back"] = "\(long.heldWorkBack)"
                if let name = long.name { metadata["tasklets.name"] = "\(name)" }
            }
            logger.log(
                level: diagnostic.isProblem ? .warning : .notice, "\(diagnostic.message)", metadata: metadata)
        }
    }
}
#else
#error("""
    TaskletsLogging needs the package trait "Logging" of swift-tasklets (on by default): \
    .package(url: ..., from: ..., traits: ["Logging"])
    """)
#endif
