import Dispatch
import Synchronization

/// Waits until one of several channel operations can complete, and does
/// exactly that one (Go's `select`):
///
/// ```swift
/// let outcome = try await select(
///     .receive(from: jobs) { job in "got \(job ?? -1)" },   // nil: closed
///     .send(result, to: results) { "sent" },
///     .timeout(.milliseconds(50)) { "timed out" }
/// )
/// ```
///
/// Exactly one clause commits: among those ready, one chosen uniformly at
/// random; the others leave no trace (nothing received, nothing sent). With
/// a `.default` clause, `select` never waits: the default runs when no other
/// clause is ready. Otherwise the task parks, not its thread, until a clause
/// can complete or its `.timeout` expires. The committed clause's handler
/// then runs in the caller's context, and `select` returns its result.
///
/// Throws what the committed operation would throw: a send clause on a
/// closed channel throws `ChannelClosedError` (or its close error); a
/// receive clause on a channel closed with an error throws that error.
/// Throws `CancellationError` if the task is cancelled while it waits (no
/// clause committed), and `ChannelError.invalidSelect` for no clauses, two
/// defaults, or a default with a timeout.
nonisolated(nonsending)
public func select<Result>(_ clauses: SelectClause<Result>...) async throws -> Result {
    try await select(clauses)
}

/// `select` over a list of clauses built at run time.
nonisolated(nonsending)
public func select<Result>(_ clauses: [SelectClause<Result>]) async throws -> Result {
    try await SelectCall(clauses).run()
}

/// One clause of `select`.
public struct SelectClause<Result> {
    enum Kind {
        /// Makes the clause's state for one call, so that a clause reused
        /// across calls, or listed twice in one, shares nothing.
        case channel(() -> any SelectCase<Result>)
        case timeout(Duration, () async throws -> Result)
        case fallback(() async throws -> Result)
    }

    let kind: Kind

    /// Receives from `channel`; the handler gets the value, or nil once the
    /// channel is closed and drained.
    public static func receive<Element>(
        from channel: Channel<Element>, _ handler: @escaping (Element?) async throws -> Result
    ) -> SelectClause {
        SelectClause(kind: .channel { ReceiveCase(channel, handler) })
    }

    /// Sends `value` on `channel`; the handler runs once it was taken.
    public static func send<Element>(
        _ value: Element, to channel: Channel<Element>, _ handler: @escaping () async throws -> Result
    ) -> SelectClause {
        SelectClause(kind: .channel { SendCase(value, channel, handler) })
    }

    /// Commits once `duration` has passed with no other clause ready.
    public static func timeout(_ duration: Duration, _ handler: @escaping () async throws -> Result) -> SelectClause {
        SelectClause(kind: .timeout(duration, handler))
    }

    /// Commits at once if no other clause is ready: `select` never waits.
    public static func `default`(_ handler: @escaping () async throws -> Result) -> SelectClause {
        SelectClause(kind: .fallback(handler))
    }
}

/// The steps of one `select` call (docs/channels.md, "select"):
///
/// 1. With every one of its channels locked (in address order, as any
///    select locks them, so two selects cannot deadlock), try the channel
///    clauses in a random order; the first that can complete does. Nothing
///    else can change a locked channel, so "ready" is exact.
/// 2. Nothing ready: the default clause, if any.
/// 3. Else park: with the channels locked again (something may have come
///    meanwhile: step 1 again), register a waiter on each, arm the select
///    and unlock; a counterpart that comes later commits one clause (under
///    its channel's lock) and resumes the task; a timeout's timer may; so
///    may a cancellation, committing none.
/// 4. After the resume, take the select's waiters off the other channels.
struct SelectCall<Result> {
    var cases: [any SelectCase<Result>] = []
    var timeout: (Duration, () async throws -> Result)?
    var fallback: (() async throws -> Result)?
    var invalid: String?

    init(_ clauses: [SelectClause<Result>]) {
        for clause in clauses {
            switch clause.kind {
            case .channel(let makeCase): cases.append(makeCase())
            case .timeout(let duration, let handler):
                if let timeout, timeout.0 <= duration { continue }
                timeout = (duration, handler)
            case .fallback(let handler):
                if fallback != nil { invalid = "more than one default clause" }
                fallback = handler
            }
        }
        if clauses.isEmpty { invalid = "no clauses" }
        if fallback != nil, timeout != nil { invalid = "a default clause and a timeout (the default never waits)" }
    }

    /// The channels' locks, each once, in address order.
    private var locks: [PthreadLock] {
        var seen = Set<ObjectIdentifier>()
        return cases.map(\.lock).filter { seen.insert(ObjectIdentifier($0)).inserted }
            .sorted { UInt(bitPattern: ObjectIdentifier($0)) < UInt(bitPattern: ObjectIdentifier($1)) }
    }

    nonisolated(nonsending)
    func run() async throws -> Result {
        if let invalid { throw ChannelError.invalidSelect(invalid) }
        let order = SelectRandom.permutation(of: cases.count)
        let locks = self.locks
        // 1. Anything ready now?
        for lock in locks { lock.lock() }
        for index in order where cases[index].completeNow() {
            for lock in locks { lock.unlock() }
            cases[index].wakeCounterpart()
            return try await cases[index].finish()
        }
        for lock in locks { lock.unlock() }
        // 2. The default.
        if let fallback { return try await fallback() }
        // 3. Park.
        let waiter = SelectWaiter()
        let timeoutIndex = cases.count
        var timer: DispatchWorkItem?
        defer { timer?.cancel() }
        do {
            let committed = try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Int, any Error>) in
                    waiter.continuation = continuation
                    for lock in locks { lock.lock() }
                    // Not armed yet, so nobody else resumes the task: a
                    // clause that became ready completes as in step 1.
                    for index in order where cases[index].completeNow() {
                        for lock in locks { lock.unlock() }
                        cases[index].wakeCounterpart()
                        continuation.resume(returning: index)
                        return
                    }
                    for (index, selectCase) in cases.enumerated() { selectCase.register(waiter, clause: index) }
                    for lock in locks { lock.unlock() }
                    waiter.arm()
                    if let (duration, _) = timeout {
                        let item = DispatchWorkItem {
                            if waiter.commit(timeoutIndex) { waiter.continuation.unsafelyUnwrapped.resume(returning: timeoutIndex) }
                        }
                        timer = item
                        DispatchQueue.global().asyncAfter(deadline: .now() + duration.dispatchInterval, execute: item)
                    }
                }
            } onCancel: {
                if waiter.cancel() { waiter.resumeCancelled() }
            }
            // 4. Off the other channels, then the winner's handler.
            for selectCase in cases { selectCase.unregister() }
            if committed == timeoutIndex, let (_, handler) = timeout { return try await handler() }
            return try await cases[committed].finish()
        } catch {
            for selectCase in cases { selectCase.unregister() }
            throw error
        }
    }
}

extension Duration {
    /// The duration for Dispatch, saturating.
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        if seconds >= Int64(Int.max / 1_000_000_000) { return .never }
        return .nanoseconds(Int(max(0, seconds)) * 1_000_000_000 + Int(max(0, attoseconds) / 1_000_000_000))
    }
}

/// Random clause orders for `select`: a splitmix64 stream over one shared
/// counter (a select is not a hot path; a system call per select would be).
enum SelectRandom {
    private static let counter = Atomic<UInt64>(0x853C_49E6_748F_EA9B)

    static func permutation(of count: Int) -> [Int] {
        var order = Array(0..<count)
        guard count > 1 else { return order }
        var z = counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        for index in stride(from: count - 1, to: 0, by: -1) {
            z = z &+ 0x9E37_79B9_7F4A_7C15
            var mixed = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            mixed ^= mixed >> 31
            order.swapAt(index, Int(mixed % UInt64(index + 1)))
        }
        return order
    }
}
