import Foundation
import Testing
@testable import Tasklets

/// Stall reports and the opt-in stall watch (docs/channels.md, "Stalls").
@Suite struct StallTests {
    @Test func theReportListsParkedTasksByChannel() async throws {
        try await onTestDriver {
            try await within(60, "report") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let jobs = try Channel<Int>(capacity: 0, name: "jobs")
                let results = try Channel<Int>(capacity: 0, name: "results")
                let unnamed = try Channel<Int>(capacity: 0)
                let receiver = Task(executorPreference: pool) { try await jobs.receive() }
                let sender = Task(executorPreference: pool) { try await results.send(1) }
                let selecting = Task(executorPreference: pool) {
                    try await select(.receive(from: jobs) { $0 }, .receive(from: unnamed) { $0 })
                }
                #expect(await asyncEventually { jobs.balance == -2 && results.balance == 1 && unnamed.balance == -1 })
                // Parked from outside the pool (on another pool, and on an
                // executor that is no pool): not this pool's.
                let elsewhere = try Channel<Int>(capacity: 0, name: "elsewhere")
                let otherPool = try TaskletPool(workers: 1)
                let foreign = ThreadExecutor()
                defer {
                    otherPool.shutdown()
                    foreign.stop()
                }
                let outside = Task(executorPreference: otherPool) { try await elsewhere.send(2) }
                let foreignTask = Task(executorPreference: foreign) { try await elsewhere.send(3) }
                #expect(await asyncEventually { elsewhere.balance == 2 })
                #expect(await asyncEventually { pool.stallReport().poolIsIdle })
                let report = pool.stallReport()
                #expect(report.parkedTasks.count == 3)
                let operations = report.parkedTasks.map(\.operation).sorted { "\($0)" < "\($1)" }
                #expect(operations == [.receive, .select, .send])
                let selectTask = try #require(report.parkedTasks.first { $0.operation == .select })
                #expect(Set(selectTask.channels) == ["jobs", nil])
                #expect(report.description.contains("\"jobs\""))
                for task in [receiver, selecting] { task.cancel() }
                sender.cancel()
                _ = try? await receiver.value
                _ = try? await selecting.value
                _ = try? await sender.value
                _ = try await elsewhere.receive()
                _ = try await elsewhere.receive()
                try await outside.value
                try await foreignTask.value
                #expect(await asyncEventually { pool.stallReport().parkedTasks.isEmpty })
            }
        }
    }

    /// Pools made one after another, each parking a task on one long-lived
    /// channel, each see their own park: a pool is known to a channel by an
    /// identity that is never reused (a new pool at a freed pool's address
    /// was taken for the old one and never learned of the channel), and a
    /// pool the channel has forgotten is not listed twice.
    @Test func eachNewPoolSeesItsParksOnAnOldChannel() async throws {
        try await onTestDriver {
            try await within(60, "new pools") {
                let channel = try Channel<Int>(capacity: 0, name: "long-lived")
                var identities = Set<UInt64>()
                for _ in 0..<20 {
                    let pool = try TaskletPool(workers: 1)
                    identities.insert(pool.registry.identity)
                    let receiver = Task(executorPreference: pool) { try await channel.receive() }
                    #expect(await asyncEventually { channel.balance == -1 })
                    #expect(pool.stallReport().parkedTasks.count == 1)
                    receiver.cancel()
                    _ = try? await receiver.value
                    pool.shutdown()
                }
                #expect(identities.count == 20)
                // A pool the channel forgot among those (it remembers a few)
                // registers again, and still reports each park once.
                let first = try TaskletPool(workers: 1)
                defer { first.shutdown() }
                for round in 0..<2 {
                    let receiver = Task(executorPreference: first) { try await channel.receive() }
                    #expect(await asyncEventually { channel.balance == -1 })
                    #expect(first.stallReport().parkedTasks.count == 1, "round \(round)")
                    receiver.cancel()
                    _ = try? await receiver.value
                    for _ in 0..<(round == 0 ? Channel<Int>.maximumWatchingPools : 0) {
                        let pool = try TaskletPool(workers: 1)
                        let other = Task(executorPreference: pool) { try await channel.receive() }
                        #expect(await asyncEventually { channel.balance == -1 })
                        other.cancel()
                        _ = try? await other.value
                        pool.shutdown()
                    }
                }
            }
        }
    }

    /// Off by default: an idle pool with parked tasks leaves them parked.
    @Test func withoutAWatchParkedTasksStayParked() async throws {
        try await onTestDriver {
            try await within(60, "off") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 0, name: "quiet")
                let receiver = Task(executorPreference: pool) { try await channel.receive() }
                #expect(await asyncEventually { channel.balance == -1 })
                try await Task.sleep(for: .milliseconds(100))
                #expect(channel.balance == -1)
                #expect(pool.stallReport().parkedTasks.count == 1)
                try await channel.send(4)
                #expect(try await receiver.value == 4)
            }
        }
    }

    @Test func theWatchReportsAStallOnceThePoolHasIdled() async throws {
        try await onTestDriver {
            try await within(60, "report action") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let reports = LockedBox<[StallReport]>([])
                try pool.watchForStalls(after: .milliseconds(20), action: .report { report in
                    reports.mutate { $0.append(report) }
                })
                let channel = try Channel<Int>(capacity: 0, name: "stuck")
                // Busy for 150 ms with a task parked: no report (the pool is not idle).
                let busy = Counters(count: 1)
                try pool.spawn {
                    let end = Date().addingTimeInterval(0.15)
                    while Date() < end {}
                    busy.increment(0)
                }
                let receiver = Task(executorPreference: pool) { try await channel.receive() }
                #expect(await asyncEventually { busy[0] == 1 })
                #expect(reports.value!.isEmpty)
                #expect(await asyncEventually { !reports.value!.isEmpty })
                let report = try #require(reports.value!.first)
                #expect(report.poolIsIdle)
                #expect(report.parkedTasks.map(\.channels) == [["stuck"]])
                #expect(report.parkedTasks[0].parkedFor >= .milliseconds(10))
                // Once per idle stretch.
                try await Task.sleep(for: .milliseconds(100))
                #expect(reports.value!.count == 1)
                pool.stopWatchingForStalls()
                try await channel.send(1)
                #expect(try await receiver.value == 1)
            }
        }
    }

    @Test func theFailActionResumesParkedTasksWithAnErrorNamingTheChannels() async throws {
        try await onTestDriver {
            try await within(60, "fail action") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                try pool.watchForStalls(after: .milliseconds(20), action: .fail)
                let left = try Channel<Int>(capacity: 0, name: "left")
                let right = try Channel<Int>(capacity: 0, name: "right")
                let sender = Task(executorPreference: pool) { try await left.send(1) }
                let selecting = Task(executorPreference: pool) { try await select(.receive(from: right) { $0 }) }
                for task in [sender] {
                    await #expect {
                        try await task.value
                    } throws: { error in
                        guard case ChannelError.stalled(let channels, let idle) = error else { return false }
                        return Set(channels) == ["left", "right"] && idle >= 20
                    }
                }
                await #expect(throws: ChannelError.self) { try await selecting.value }
                #expect(left.balance == 0 && right.balance == 0)
                #expect(try left.tryReceive() == nil)  // the value was not delivered
            }
        }
    }

    /// The fail action leaves a channel alone when the pool ran a job
    /// after the watch decided (as a task that parked meanwhile did).
    @Test func theFailActionSparesTasksParkedAfterTheDecision() async throws {
        try await onTestDriver {
            try await within(60, "fail spares new parks") {
                let pool = try TaskletPool(workers: 2)
                defer { pool.shutdown() }
                let channel = try Channel<Int>(capacity: 0, name: "late")
                let receiver = Task(executorPreference: pool) { try await channel.receive() }
                #expect(await asyncEventually { channel.balance == -1 })
                let registry = pool.registry
                let stale = registry.activity &- 1
                registry.stallWatch.failParks(of: registry, with: .stalled(channels: ["late"], idleMilliseconds: 0),
                                              ifActivityIs: stale)
                #expect(channel.balance == -1)  // still parked
                registry.stallWatch.failParks(of: registry, with: .stalled(channels: ["late"], idleMilliseconds: 0),
                                              ifActivityIs: registry.activity)
                await #expect(throws: ChannelError.self) { try await receiver.value }
                #expect(channel.balance == 0)
            }
        }
    }

    @Test func badWatchSettingsThrow() throws {
        let pool = try TaskletPool(workers: 1)
        #expect(throws: ChannelError.invalidStallInterval(.microseconds(10))) {
            try pool.watchForStalls(after: .microseconds(10), action: .fail)
        }
        pool.shutdown()
        #expect(throws: TaskletPoolError.shutDown) { try pool.watchForStalls(after: .seconds(1), action: .fail) }
    }
}
