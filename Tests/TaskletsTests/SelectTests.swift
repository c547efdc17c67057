import Foundation
import Testing
@testable import Tasklets

/// `select` (docs/channels.md, "select"): exactly one clause commits, at
/// random among the ready ones, and the others leave no trace.
@Suite struct SelectTests {
    @Test func aReadyReceiveCommitsAndTheOthersLeaveNoTrace() async throws {
        try await onTestDriver {
            try await within(60, "ready receive") {
                let ready = try Channel<Int>(capacity: 1, name: "ready")
                let idle = try Channel<Int>(capacity: 1, name: "idle")
                let full = try Channel<Int>(capacity: 1, name: "full")
                try await ready.send(1)
                try await full.send(0)
                let outcome = try await select(
                    .receive(from: ready) { "ready \($0!)" },
                    .receive(from: idle) { "idle \($0!)" },
                    .send(5, to: full) { "sent" })
                #expect(outcome == "ready 1")
                #expect(ready.count == 0 && idle.count == 0 && full.count == 1)
                #expect(ready.balance == 0 && idle.balance == 0 && full.balance == 0)
            }
        }
    }

    @Test func theDefaultRunsWhenNothingIsReadyAndNothingWaits() async throws {
        try await onTestDriver {
            try await within(60, "default") {
                let empty = try Channel<Int>(capacity: 0)
                let outcome = try await select(
                    .receive(from: empty) { _ in "received" },
                    .send(1, to: empty) { "sent" },
                    .default { "default" })
                #expect(outcome == "default")
                #expect(empty.balance == 0)
            }
        }
    }

    /// Among ready clauses the choice is uniform: each of four ready
    /// channels wins about a quarter of 4,000 selects (a bound that a fair
    /// choice misses with probability below 1e-9).
    @Test func theChoiceAmongReadyClausesIsUniform() async throws {
        try await onTestDriver {
            try await within(60, "uniform") {
                let channels = try (0..<4).map { _ in try Channel<Int>(capacity: 1) }
                var wins = [0, 0, 0, 0]
                for _ in 0..<4000 {
                    for channel in channels where channel.count == 0 { try await channel.send(0) }
                    let winner = try await select(channels.indices.map { index in
                        SelectClause<Int>.receive(from: channels[index]) { _ in index }
                    })
                    wins[winner] += 1
                }
                #expect(wins.allSatisfy { (850...1150).contains($0) }, "wins: \(wins)")
            }
        }
    }

    @Test func aParkedSelectIsCommittedByTheFirstCounterpart() async throws {
        try await onTestDriver {
            try await within(60, "parked select") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let a = try Channel<Int>(capacity: 0, name: "a")
                let b = try Channel<Int>(capacity: 0, name: "b")
                let selecting = Task(executorPreference: pool) {
                    try await select(
                        .receive(from: a) { "a \($0!)" },
                        .send(7, to: b) { "sent b" })
                }
                #expect(await asyncEventually { a.balance == -1 && b.balance == 1 })
                #expect(try await b.receive() == 7)
                #expect(try await selecting.value == "sent b")
                // The receive clause left no trace: a send on `a` finds nobody.
                #expect(a.balance == 0)
                #expect(try a.trySend(1) == false)
            }
        }
    }

    @Test func aTimeoutCommitsWhenNothingElseDoes() async throws {
        try await onTestDriver {
            try await within(60, "timeout") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let never = try Channel<Int>(capacity: 0)
                let start = ContinuousClock.now
                let outcome = try await Task(executorPreference: pool) {
                    try await select(
                        .receive(from: never) { _ in "received" },
                        .timeout(.milliseconds(20)) { "timed out" })
                }.value
                #expect(outcome == "timed out")
                #expect(ContinuousClock.now - start >= .milliseconds(20))
                #expect(never.balance == 0)
                // A select of a timeout alone just waits.
                #expect(try await select(.timeout(.milliseconds(1)) { 3 }) == 3)
            }
        }
    }

    @Test func aCancelledSelectCommitsNothing() async throws {
        try await onTestDriver {
            try await within(60, "cancel select") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let a = try Channel<Int>(capacity: 0)
                let b = try Channel<Int>(capacity: 0)
                let selecting = Task(executorPreference: pool) {
                    try await select(.receive(from: a) { _ in 1 }, .send(2, to: b) { 2 })
                }
                #expect(await asyncEventually { a.balance == -1 && b.balance == 1 })
                selecting.cancel()
                await #expect(throws: CancellationError.self) { try await selecting.value }
                #expect(a.balance == 0 && b.balance == 0)
                #expect(try b.tryReceive() == nil)
                // Cancelled before it parks: same.
                let early = Task(executorPreference: pool) { () async throws -> Int in
                    withUnsafeCurrentTask { $0?.cancel() }
                    return try await select(.receive(from: a) { _ in 1 })
                }
                await #expect(throws: CancellationError.self) { try await early.value }
                #expect(a.balance == 0)
            }
        }
    }

    @Test func closedChannelsCommitTheirClauses() async throws {
        try await onTestDriver {
            try await within(60, "closed") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let closed = try Channel<Int>(capacity: 0, name: "closed")
                closed.close()
                #expect(try await select(.receive(from: closed) { $0 == nil ? "end" : "value" }) == "end")
                await #expect(throws: ChannelClosedError(channel: "closed")) {
                    try await select(.send(1, to: closed) { "sent" })
                }
                // Closed while the select waits.
                let later = try Channel<Int>(capacity: 0, name: "later")
                let waiting = Task(executorPreference: pool) {
                    try await select(.receive(from: later) { $0 == nil ? "end" : "value" })
                }
                #expect(await asyncEventually { later.balance == -1 })
                later.close()
                #expect(try await waiting.value == "end")
                let sending = try Channel<Int>(capacity: 0, name: "sending")
                let sender = Task(executorPreference: pool) { try await select(.send(1, to: sending) { "sent" }) }
                #expect(await asyncEventually { sending.balance == 1 })
                sending.close()
                await #expect(throws: ChannelClosedError(channel: "sending")) { try await sender.value }
            }
        }
    }

    @Test func invalidSelectsThrow() async throws {
        let channel = try Channel<Int>(capacity: 0)
        await #expect(throws: ChannelError.invalidSelect("no clauses")) { try await select([SelectClause<Int>]()) }
        await #expect(throws: ChannelError.self) { try await select(.default { 1 }, .default { 2 }) }
        await #expect(throws: ChannelError.self) {
            try await select(.receive(from: channel) { _ in 1 }, .timeout(.seconds(1)) { 2 }, .default { 3 })
        }
    }

    /// Two selects that each want to send on one channel and receive on the
    /// other, in opposite orders, and plain senders and receivers: every
    /// value goes through exactly once (the selects lock channels in one
    /// order, so they cannot deadlock).
    @Test func selectsAndPlainOperationsMoveEveryValueExactlyOnce() async throws {
        try await onTestDriver {
            try await within(120, "select stress") {
                let pool = try TaskletPool(workers: 4)
                defer { pool.shutdown() }
                let left = try Channel<Int>(capacity: 0, name: "left")
                let right = try Channel<Int>(capacity: 2, name: "right")
                let perTask = 1000
                let received = LockedBox<[Int]>([])
                // Selecting senders: each value goes to whichever channel takes it.
                let senders = (0..<4).map { sender in
                    Task(executorPreference: pool) {
                        for index in 0..<perTask {
                            let value = sender * perTask + index
                            if sender % 2 == 0 {
                                try await select(.send(value, to: left) {}, .send(value, to: right) {})
                            } else {
                                try await select(.send(value, to: right) {}, .send(value, to: left) {})
                            }
                        }
                    }
                }
                // Receivers: two selecting, one plain on each channel.
                let total = 4 * perTask
                let done = try Channel<Int>(capacity: 0, name: "done")
                let receivers = (0..<4).map { receiver in
                    Task(executorPreference: pool) {
                        while true {
                            let value: Int?
                            switch receiver {
                            case 0: value = try await left.receive()
                            case 1: value = try await right.receive()
                            default:
                                value = try await select(
                                    .receive(from: left) { $0 }, .receive(from: right) { $0 },
                                    .receive(from: done) { _ in nil })
                            }
                            guard let value else { return }
                            received.mutate { $0.append(value) }
                        }
                    }
                }
                for sender in senders { try await sender.value }
                #expect(await asyncEventually { received.value!.count == total })
                left.close()
                right.close()
                done.close()
                for receiver in receivers { try await receiver.value }
                let all = received.value!
                #expect(all.count == total)
                #expect(Set(all) == Set(0..<total))
            }
        }
    }

    /// Cancelling selects at random moments while values flow: a value is
    /// received at most once, and every value a send completed is received.
    @Test func cancellationsNeverLoseOrDuplicateAValue() async throws {
        try await onTestDriver {
            try await within(120, "select cancellations") {
                let pool = try TaskletPool(workers: 4)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 0)
                let other = try Channel<Int>(capacity: 0)
                let received = LockedBox<[Int]>([])
                let sent = LockedBox<[Int]>([])
                let roundsBegun = Counters(count: 1)
                let sender = Task(executorPreference: pool) {
                    for value in 0..<3000 {
                        // At most 100 values a round: however late the
                        // test's own thread runs, many receivers get
                        // cancelled while values flow.
                        while roundsBegun[0] < value / 100 { try? await Task.sleep(for: .microseconds(50)) }
                        if (try? await channel.send(value)) != nil { sent.mutate { $0.append(value) } }
                    }
                    channel.close()
                }
                var rounds = 0
                while !(channel.isClosed) {
                    rounds += 1
                    roundsBegun.increment(0)
                    let receiver = Task(executorPreference: pool) {
                        while true {
                            let value = try await select(.receive(from: channel) { $0 }, .receive(from: other) { $0 })
                            guard let value else { return }
                            received.mutate { $0.append(value) }
                        }
                    }
                    try await Task.sleep(for: .microseconds(200))
                    receiver.cancel()
                    _ = try? await receiver.value
                }
                await sender.value
                let all = received.value!
                #expect(Set(all).count == all.count)
                #expect(Set(all) == Set(sent.value!))
                // Value 2,999 waits for round 29 to begin.
                #expect(rounds >= 29)
            }
        }
    }

    /// One array of clauses serves a loop of selects: every value arrives
    /// once, then the close, and no sender is resumed twice (a clause kept
    /// its last call's counterpart and resumed it again at the close).
    @Test func aClauseListReusedAcrossSelectsKeepsNoState() async throws {
        try await onTestDriver {
            try await within(60, "reused clauses") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let values = try Channel<Int>(capacity: 0, name: "values")
                let replies = try Channel<Int>(capacity: 4, name: "replies")
                let sender = Task(executorPreference: pool) {
                    for value in 0..<200 { try await values.send(value) }
                    values.close()
                }
                var received: [Int] = []
                let clauses: [SelectClause<Int?>] = [
                    .receive(from: values) { $0 },
                    .send(-1, to: replies) { nil },
                ]
                while true {
                    let outcome = try await select(clauses)
                    if let value = outcome {
                        received.append(value)
                    } else if try replies.tryReceive() != nil {
                        continue  // the send clause committed
                    } else {
                        break  // closed and drained
                    }
                }
                try await sender.value
                #expect(received == Array(0..<200))
            }
        }
    }

    /// The same clause listed twice is two clauses: a value sent to either
    /// reaches the handler.
    @Test func aClauseListedTwiceGetsTheValue() async throws {
        try await onTestDriver {
            try await within(60, "clause twice") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 0, name: "twice")
                let clause = SelectClause<Int?>.receive(from: channel) { $0 }
                let selecting = Task(executorPreference: pool) { try await select(clause, clause) }
                #expect(await asyncEventually { channel.balance == -2 })
                try await channel.send(42)
                #expect(try await selecting.value == 42)
                #expect(await asyncEventually { channel.balance == 0 })
            }
        }
    }
}
