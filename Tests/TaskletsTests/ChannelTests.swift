import Foundation
import Synchronization
import Testing
@testable import Tasklets

/// Channels (docs/channels.md), each rule tested. Every test runs on a test
/// driver (its own one-worker pool) and under `within`, so a lost wake-up
/// fails the run instead of hanging it.
@Suite struct ChannelTests {
    /// Waits until `channel.balance` is `balance`: how a test knows that
    /// tasks have parked.
    static func parked<E>(_ channel: Channel<E>, balance: Int) async -> Bool {
        await asyncEventually { channel.balance == balance }
    }

    @Test func aRendezvousSendWaitsForAReceiverAndHandsTheValueOver() async throws {
        try await onTestDriver {
            try await within(60, "rendezvous") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 0, name: "r")
                let sent = Counters(count: 1)
                let sender = Task(executorPreference: pool) {
                    try await channel.send(7)
                    sent.increment(0)
                }
                #expect(await Self.parked(channel, balance: 1))
                #expect(sent[0] == 0)
                #expect(channel.count == 0)
                #expect(try await channel.receive() == 7)
                try await sender.value
                #expect(sent[0] == 1)
                #expect(channel.balance == 0)
            }
        }
    }

    @Test func sendersAndReceiversWaitInFIFOOrder() async throws {
        try await onTestDriver {
            try await within(60, "FIFO") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 0)
                // Senders park one after another, so their order is known.
                var senders: [Task<Void, any Error>] = []
                for value in 0..<5 {
                    senders.append(Task(executorPreference: pool) { try await channel.send(value) })
                    #expect(await Self.parked(channel, balance: value + 1))
                }
                var received: [Int] = []
                for _ in 0..<5 { received.append(try await channel.receive()!) }
                #expect(received == [0, 1, 2, 3, 4])
                for sender in senders { try await sender.value }
                // Receivers likewise.
                let log = LockedLog()
                var receivers: [Task<Void, any Error>] = []
                for index in 0..<5 {
                    receivers.append(Task(executorPreference: pool) {
                        let value = try await channel.receive()!
                        log.append("\(index):\(value)")
                    })
                    #expect(await Self.parked(channel, balance: -(index + 1)))
                }
                for value in 0..<5 { try await channel.send(value * 10) }
                for receiver in receivers { try await receiver.value }
                #expect(Set(log.entries) == ["0:0", "1:10", "2:20", "3:30", "4:40"])
            }
        }
    }

    @Test func aBufferedChannelHoldsValuesInOrderAndDrainsAfterClose() async throws {
        try await onTestDriver {
            try await within(60, "buffered") {
                let channel = try Channel<Int>(capacity: 3)
                for value in 1...3 { try await channel.send(value) }  // no receiver: the buffer takes them
                #expect(channel.count == 3)
                #expect(try channel.trySend(4) == false)
                #expect(channel.close())
                #expect(!channel.close())
                var drained: [Int] = []
                for try await value in channel { drained.append(value) }
                #expect(drained == [1, 2, 3])
                #expect(try await channel.receive() == nil)
            }
        }
    }

    /// A full buffer: the oldest waiting sender's value takes the slot a
    /// receive frees, so values keep their order.
    @Test func aWaitingSendersValueRefillsTheBufferInOrder() async throws {
        try await onTestDriver {
            try await within(60, "refill") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 2)
                try await channel.send(1)
                try await channel.send(2)
                let third = Task(executorPreference: pool) { try await channel.send(3) }
                #expect(await Self.parked(channel, balance: 1))
                #expect(try await channel.receive() == 1)
                try await third.value
                #expect(channel.count == 2)
                #expect(try await channel.receive() == 2)
                #expect(try await channel.receive() == 3)
            }
        }
    }

    @Test func closingWakesReceiversWithNilAndSendersWithTheError() async throws {
        try await onTestDriver {
            try await within(60, "close") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let receivers = try Channel<Int>(capacity: 0, name: "in")
                let waiting = (0..<3).map { _ in Task(executorPreference: pool) { try await receivers.receive() } }
                #expect(await Self.parked(receivers, balance: -3))
                receivers.close()
                for task in waiting { #expect(try await task.value == nil) }

                let senders = try Channel<Int>(capacity: 0, name: "out")
                let sending = Task(executorPreference: pool) { try await senders.send(1) }
                #expect(await Self.parked(senders, balance: 1))
                senders.close()
                await #expect(throws: ChannelClosedError(channel: "out")) { try await sending.value }
                await #expect(throws: ChannelClosedError(channel: "out")) { try await senders.send(2) }
                #expect(throws: ChannelClosedError(channel: "out")) { try senders.trySend(2) }
                #expect(throws: ChannelClosedError(channel: "out")) { try senders.tryReceive() }
                #expect(senders.isClosed)
            }
        }
    }

    struct Broken: Error, Equatable {}

    /// Stackless's send_exception: after the buffered values, receivers get
    /// the error; senders get it too.
    @Test func closingWithAnErrorThrowsItAfterTheBufferedValues() async throws {
        try await onTestDriver {
            try await within(60, "close throwing") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 2)
                try await channel.send(1)
                channel.close(throwing: Broken())
                #expect(try await channel.receive() == 1)
                await #expect(throws: Broken.self) { try await channel.receive() }
                await #expect(throws: Broken.self) { try await channel.send(5) }
                var iterated: [Int] = []
                await #expect(throws: Broken.self) {
                    for try await value in channel { iterated.append(value) }
                }
                #expect(iterated.isEmpty)

                let rendezvous = try Channel<Int>(capacity: 0)
                let waiting = Task(executorPreference: pool) { try await rendezvous.receive() }
                #expect(await Self.parked(rendezvous, balance: -1))
                rendezvous.close(throwing: Broken())
                await #expect(throws: Broken.self) { try await waiting.value }
            }
        }
    }

    @Test func aCancelledParkedSendThrowsAndItsValueIsNeverDelivered() async throws {
        try await onTestDriver {
            try await within(60, "cancel send") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 0)
                let sender = Task(executorPreference: pool) { try await channel.send(1) }
                #expect(await Self.parked(channel, balance: 1))
                sender.cancel()
                await #expect(throws: CancellationError.self) { try await sender.value }
                #expect(channel.balance == 0)
                #expect(try channel.tryReceive() == nil)
                let later = Task(executorPreference: pool) { try await channel.send(2) }
                #expect(try await channel.receive() == 2)
                try await later.value
            }
        }
    }

    @Test func aCancelledParkedReceiveThrowsAndConsumesNothing() async throws {
        try await onTestDriver {
            try await within(60, "cancel receive") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 0)
                let first = Task(executorPreference: pool) { try await channel.receive() }
                #expect(await Self.parked(channel, balance: -1))
                let second = Task(executorPreference: pool) { try await channel.receive() }
                #expect(await Self.parked(channel, balance: -2))
                first.cancel()
                await #expect(throws: CancellationError.self) { try await first.value }
                #expect(channel.balance == -1)
                try await channel.send(9)
                #expect(try await second.value == 9)
            }
        }
    }

    /// A task cancelled before it would park never parks; one that can
    /// complete at once completes.
    @Test func anAlreadyCancelledTaskCompletesWhatIsReadyAndNeverParks() async throws {
        try await onTestDriver {
            try await within(60, "cancelled before") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 1)
                let task = Task(executorPreference: pool) { () async throws -> [String] in
                    withUnsafeCurrentTask { $0?.cancel() }
                    var outcomes: [String] = []
                    try await channel.send(1)  // room: completes
                    outcomes.append("sent")
                    do { try await channel.send(2) } catch is CancellationError { outcomes.append("send cancelled") }
                    outcomes.append("got \(try await channel.receive()!)")
                    do { _ = try await channel.receive() } catch is CancellationError { outcomes.append("receive cancelled") }
                    return outcomes
                }
                #expect(try await task.value == ["sent", "send cancelled", "got 1", "receive cancelled"])
                #expect(channel.balance == 0)
            }
        }
    }

    @Test func tryOperationsNeverWait() async throws {
        try await onTestDriver {
            try await within(60, "try") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 0)
                #expect(try channel.trySend(1) == false)  // nobody receives
                #expect(try channel.tryReceive() == nil)
                let receiver = Task(executorPreference: pool) { try await channel.receive() }
                #expect(await Self.parked(channel, balance: -1))
                #expect(try channel.trySend(5) == true)
                #expect(try await receiver.value == 5)
                let sender = Task(executorPreference: pool) { try await channel.send(6) }
                #expect(await Self.parked(channel, balance: 1))
                #expect(try channel.tryReceive() == 6)
                try await sender.value
            }
        }
    }

    @Test func aNegativeCapacityThrows() {
        #expect(throws: ChannelError.invalidCapacity(-1)) { try Channel<Int>(capacity: -1) }
    }

    /// A receiver woken by a send on a pool worker runs next on that worker.
    @Test func aWokenReceiverRunsNextOnTheSendersWorker() async throws {
        try await onTestDriver {
            try await within(60, "run next") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                // Keep the other worker busy, so that nobody can steal.
                let release = Counters(count: 2)
                try pool.spawn {
                    release.increment(1)
                    _ = eventually(within: 30) { release[0] == 1 }
                }
                #expect(await asyncEventually { release[1] == 1 })
                let channel = try Channel<Int>(capacity: 0)
                let done = try Channel<Int>(capacity: 0)
                let before = pool.statistics()
                let receiver = Task(executorPreference: pool) { () async throws -> Int? in
                    _ = try await channel.receive()
                    return TaskletPool.currentWorkerIndex
                }
                #expect(await Self.parked(channel, balance: -1))
                let sender = Task(executorPreference: pool) { () async throws -> Int? in
                    try await channel.send(1)
                    let index = TaskletPool.currentWorkerIndex
                    _ = try await done.receive()  // park: the receiver runs next here
                    return index
                }
                let receiverWorker = try await receiver.value
                try await done.send(0)
                let senderWorker = try await sender.value
                release.increment(0)
                // The next slot is stealable after a grace of a few µs: on a
                // loaded machine (ThreadSanitizer beside a build) the sender's
                // worker can lose its CPU that long, and a spare the watchdog
                // started for the busy worker can run the receiver. That shows
                // as a counted steal or a spare started; without either, the
                // receiver must have run next on the sender's worker.
                let after = pool.statistics()
                let movedOn = after.total.steals > before.total.steals
                    || after.supervision.sparesStarted > before.supervision.sparesStarted
                #expect(receiverWorker != nil && (receiverWorker == senderWorker || movedOn))
            }
        }
    }

    /// Channels work from any executor: a foreign one (a thread of its own),
    /// a pool, two pools. (The global executor's threads belong to the test
    /// runner, which holds them with synchronous tests; the channel kernels
    /// run on it in `SchedulerKernelTests`, without a deadline.)
    @Test func tasksOnDifferentExecutorsShareAChannel() async throws {
        try await onTestDriver {
            try await within(60, "executors") {
                let pool = try TaskletPool(workers: 2)
                let other = try TaskletPool(workers: 1)
                let foreign = ThreadExecutor()
                defer {
                    pool.shutdown()
                    other.shutdown()
                    foreign.stop()
                }
                let channel = try Channel<Int>(capacity: 0)
                let fromForeign = Task(executorPreference: foreign) { for value in 0..<100 { try await channel.send(value) } }
                let fromOther = Task(executorPreference: other) { for value in 100..<200 { try await channel.send(value) } }
                let sum = try await Task(executorPreference: pool) { () async throws -> Int in
                    var sum = 0
                    for _ in 0..<200 { sum += try await channel.receive()! }
                    return sum
                }.value
                try await fromForeign.value
                try await fromOther.value
                #expect(sum == (0..<200).reduce(0, +))
            }
        }
    }

    /// Many senders and receivers on several workers, with cancellations and
    /// a close in the middle: every value is received exactly once, or its
    /// send failed.
    @Test(arguments: [0, 1, 16])
    func nothingIsLostOrDuplicatedUnderStress(capacity: Int) async throws {
        // The progress windows only place the cancellations and the close
        // mid-stream; a stall is what they catch. Under ThreadSanitizer,
        // beside the whole suite on 2 cores, a quarter of the values once
        // took more than 30 s: `asyncEventually` and `within` wait four
        // times longer there (`hangLimitScale`).
        try await onTestDriver {
            try await within(120, "stress") {
                let pool = try TaskletPool(workers: 4)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: capacity)
                let senders = 8, perSender = 2000
                let received = LockedBox<[Int]>([])
                let failed = LockedBox<[Int]>([])
                let receivers = (0..<6).map { _ in
                    Task(executorPreference: pool) {
                        do {
                            while let value = try await channel.receive() { received.mutate { $0.append(value) } }
                        } catch {}
                    }
                }
                let sending = (0..<senders).map { sender in
                    Task(executorPreference: pool) {
                        for index in 0..<perSender {
                            let value = sender * perSender + index
                            do { try await channel.send(value) } catch { failed.mutate { $0.append(value) } }
                        }
                    }
                }
                // Cancel a receiver and a sender while they run, then close
                // once about half the values went through.
                #expect(await asyncEventually { received.value!.count >= senders * perSender / 4 })
                receivers[0].cancel()
                sending[0].cancel()
                #expect(await asyncEventually { received.value!.count >= senders * perSender / 2 })
                channel.close()
                for task in sending { await task.value }
                for task in receivers { await task.value }
                // Whatever is still buffered was delivered to nobody yet.
                var leftover: [Int] = []
                while let value = try? channel.tryReceive() { leftover.append(value) }
                let all = received.value! + failed.value! + leftover
                #expect(all.count == senders * perSender)
                #expect(Set(all).count == all.count)
                #expect(Set(received.value!).isDisjoint(with: failed.value!))
                #expect(channel.balance == 0)
            }
        }
    }

    /// The README's producer/consumer example (ReadmeChannelsExample.swift,
    /// also a compile probe) computes what it says, on 1 and on 2 workers.
    @Test(arguments: [1, 2])
    func readmeProducerConsumer(workers: Int) async throws {
        try await onTestDriver {
            try await within(60, "README example") {
                let pool = try TaskletPool(workers: workers)
                defer { pool.shutdown() }
                #expect(try await squaresOverChannels(on: pool) == (1...100).reduce(0) { $0 + $1 * $1 })
            }
        }
    }
}
