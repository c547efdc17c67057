extension TaskletPool {
    /// One thing the pool worked around or did on its own, as a diagnostic
    /// handler hears of it (`init(workers:placement:stackSize:supervision:errorHandler:diagnosticHandler:)`).
    ///
    /// Two sorts: *problems* the pool worked around (a worker it could not
    /// pin, node-local memory it could not get...), delivered once per
    /// distinct message and also listed in `diagnostics`; and *events* of
    /// supervision (a spare worker started, a long tasklet), delivered each
    /// time they happen and counted in `statistics().supervision`.
    public struct Diagnostic: Sendable, CustomStringConvertible {
        /// What happened. A struct with static members rather than an enum,
        /// so that a later release may add kinds without breaking a switch.
        public struct Kind: Sendable, Hashable, CustomStringConvertible {
            /// A short name in snake case, fit for a log's metadata.
            public let name: String

            init(_ name: String) { self.name = name }

            /// A worker could not be pinned to its CPU; it runs unpinned.
            public static let pinningRefused = Kind("pinning_refused")
            /// Node-local memory could not be had; plain memory is used.
            public static let nodeLocalMemoryUnavailable = Kind("node_local_memory_unavailable")
            /// The kernel refused membarrier: the deques use a fence on
            /// every take (`DequeFences.symmetricFallback`).
            public static let asymmetricFencesUnavailable = Kind("asymmetric_fences_unavailable")
            /// Stack overflow reports could not be set up.
            public static let stackGuardUnavailable = Kind("stack_guard_unavailable")
            /// The watchdog started a spare worker for work held back.
            public static let spareStarted = Kind("spare_started")
            /// The watchdog could not start a spare worker.
            public static let spareStartFailed = Kind("spare_start_failed")
            /// A tasklet ran past `Supervision.longTaskletThreshold`.
            public static let longTasklet = Kind("long_tasklet")
            /// Swift jobs arrived after shutdown and ran on the last-resort thread.
            public static let lateJobs = Kind("late_jobs")

            /// The kind's name, in snake case (`pinning_refused`): what the
            /// logging integration puts in its metadata.
            public var description: String { name }
        }

        /// What happened.
        public var kind: Kind
        /// One line, as `diagnostics` lists it (without the
        /// "swift-tasklets: " prefix that standard error gets).
        public var message: String
        /// True for a problem the pool worked around (once per message),
        /// false for an event of supervision (each time).
        public var isProblem: Bool
        /// The worker concerned, if one is (spares come after the regular
        /// workers, as in `TaskletPool.currentWorkerIndex`).
        public var worker: Int?
        /// For `.longTasklet`: the tasklet, as `Supervision.onLongTasklet`
        /// hears of it.
        public var longTasklet: LongTasklet?

        /// A diagnostic, as the pool makes them; public so that tests of a
        /// handler can feed it some.
        public init(
            kind: Kind, message: String, isProblem: Bool, worker: Int? = nil, longTasklet: LongTasklet? = nil
        ) {
            self.kind = kind
            self.message = message
            self.isProblem = isProblem
            self.worker = worker
            self.longTasklet = longTasklet
        }

        /// The message.
        public var description: String { message }
    }

    /// Receives a pool's diagnostics, on the thread that met them: a worker
    /// while the pool starts, the watchdog, or a thread that submitted work
    /// after shutdown. Keep it short and never wait on the pool in it.
    public typealias DiagnosticHandler = @Sendable (Diagnostic) -> Void

    /// Writes every diagnostic, events included, to standard error as one
    /// line: "swift-tasklets: MESSAGE". (With no handler, a pool writes its
    /// problems there and keeps its events to `statistics()`.)
    public static let writeDiagnosticsToStandardError: DiagnosticHandler = { diagnostic in
        writeToStandardError("swift-tasklets: \(diagnostic.message)\n")
    }

    /// Starts a pool whose diagnostics go to `diagnosticHandler` instead of
    /// standard error: the problems it works around (also listed in
    /// `diagnostics`) and the events of supervision (spares started, long
    /// tasklets), which a pool without a handler does not write anywhere.
    /// Logging integrations (the `TaskletsLogging` module) build on it. The
    /// other parameters are those of `init(workers:placement:stackSize:supervision:errorHandler:)`.
    public convenience init(
        workers: Int? = nil,
        placement: Placement? = nil,
        stackSize: Int? = nil,
        supervision: Supervision? = nil,
        errorHandler: @escaping @Sendable (any Error) -> Void = TaskletPool.reportToStandardError,
        diagnosticHandler: @escaping DiagnosticHandler
    ) throws(TaskletPoolError) {
        try self.init(
            workers: workers, placement: placement, stackSize: stackSize, supervision: supervision,
            system: .live, errorHandler: errorHandler, diagnosticHandler: diagnosticHandler)
    }
}

extension Registry {
    /// Hands a diagnostic to the pool's handler; without one, a problem goes
    /// to standard error and an event nowhere (it is counted anyway).
    func deliver(_ diagnostic: TaskletPool.Diagnostic) {
        if let handler = diagnosticHandler {
            handler(diagnostic)
        } else if diagnostic.isProblem {
            writeToStandardError("swift-tasklets: \(diagnostic.message)\n")
        }
    }

    /// An event of supervision, for the handler only (see `deliver`); its
    /// message is not even formatted without one.
    func noteEvent(_ kind: TaskletPool.Diagnostic.Kind, _ message: @autoclosure () -> String, worker: Int? = nil,
                   longTasklet: TaskletPool.LongTasklet? = nil) {
        guard diagnosticHandler != nil else { return }
        deliver(TaskletPool.Diagnostic(
            kind: kind, message: message(), isProblem: false, worker: worker, longTasklet: longTasklet))
    }
}
