import AsyncAlgorithms
import CTaskletsBenchShims
import Tasklets

#if canImport(Glibc)
import Glibc
#endif

/// The channel kernels (docs/channels.md): `Channel` between tasks on the
/// pool (`pool` backend) or on Swift's default global executor (`taskgroup`),
/// with swift-async-algorithms' `AsyncChannel` and an `AsyncStream` pair on
/// the global executor measured in the same run as baselines.
enum ChannelKernels {
    /// pingpong: a task sends 0, 1, 2, ... over one rendezvous channel and an
    /// echo task answers each value plus one over another: ns per round trip.
    static func pingpong(_ context: BackendContext, rounds: Int, baselines: Bool) throws(BenchError) -> KernelOutcome {
        let pool = try AsyncKernels.executor(context)
        let outcome = AsyncBridge.run { () async -> Result<(UInt64, [Metric]), BenchError> in
            let (sum, ns) = await AsyncKernels.onExecutor(pool) { await channelRoundTrips(on: pool, rounds) }
            guard baselines else { return .success((sum, [Metric("ns_per_round_trip", ns)])) }
            let (asyncChannelSum, asyncChannelNs) = await asyncChannelRoundTrips(rounds)
            let (streamSum, streamNs) = await streamRoundTrips(rounds)
            guard sum == asyncChannelSum, sum == streamSum else {
                return .failure(.backendFailed(backend: context.backend.rawValue, reason: "the baselines disagree"))
            }
            return .success((sum, [
                Metric("ns_per_round_trip", ns), Metric("asyncchannel_ns", asyncChannelNs),
                Metric("asyncstream_ns", streamNs), Metric("asyncchannel_over_this", asyncChannelNs / ns),
            ]))
        }
        let (sum, metrics) = try outcome.get()
        return KernelOutcome(checksum: sum, metrics: metrics)
    }

    static func channelRoundTrips(on pool: TaskletPool?, _ rounds: Int) async -> (UInt64, Double) {
        guard let ping = try? Channel<UInt64>(capacity: 0, name: "ping"),
            let pong = try? Channel<UInt64>(capacity: 0, name: "pong")
        else { return (0, 0) }
        let start = BenchClock.nanoseconds()
        let echo = AsyncKernels.spawnTask(on: pool) { () async -> Void in
            while let value = try? await ping.receive() { try? await pong.send(value &+ 1) }
        }
        var sum: UInt64 = 0
        for value in 0..<UInt64(rounds) {
            try? await ping.send(value)
            sum &+= (try? await pong.receive()) ?? 0
        }
        let ns = Double(BenchClock.nanoseconds() &- start) / Double(rounds)
        ping.close()
        await echo.value
        return (sum, ns)
    }

    /// The same with `AsyncChannel`, on the global executor.
    static func asyncChannelRoundTrips(_ rounds: Int) async -> (UInt64, Double) {
        let ping = AsyncChannel<UInt64>()
        let pong = AsyncChannel<UInt64>()
        let start = BenchClock.nanoseconds()
        let echo = Task.detached {
            for await value in ping { await pong.send(value &+ 1) }
        }
        let sum = await Task.detached { () async -> UInt64 in
            var answers = pong.makeAsyncIterator()
            var sum: UInt64 = 0
            for value in 0..<UInt64(rounds) {
                await ping.send(value)
                sum &+= await answers.next() ?? 0
            }
            return sum
        }.value
        let ns = Double(BenchClock.nanoseconds() &- start) / Double(rounds)
        ping.finish()
        await echo.value
        return (sum, ns)
    }

    /// The same with a pair of `AsyncStream`s, on the global executor.
    static func streamRoundTrips(_ rounds: Int) async -> (UInt64, Double) {
        let (pings, ping) = AsyncStream.makeStream(of: UInt64.self, bufferingPolicy: .unbounded)
        let (pongs, pong) = AsyncStream.makeStream(of: UInt64.self, bufferingPolicy: .unbounded)
        let start = BenchClock.nanoseconds()
        let echo = Task.detached {
            for await value in pings { pong.yield(value &+ 1) }
            pong.finish()
        }
        let sum = await Task.detached { () async -> UInt64 in
            var answers = pongs.makeAsyncIterator()
            var sum: UInt64 = 0
            for value in 0..<UInt64(rounds) {
                ping.yield(value)
                sum &+= await answers.next() ?? 0
            }
            return sum
        }.value
        let ns = Double(BenchClock.nanoseconds() &- start) / Double(rounds)
        ping.finish()
        await echo.value
        return (sum, ns)
    }

    /// pipeline: a source sends 1...items, each stage between adds one, a
    /// sink sums; stages joined by channels of `capacity`: items per second.
    static func pipeline(_ context: BackendContext, _ parameters: KernelParameters) throws(BenchError) -> KernelOutcome {
        let pool = try AsyncKernels.executor(context)
        let items = parameters.pipelineItems
        let stages = parameters.pipelineStages
        let capacity = parameters.pipelineCapacity
        let (sum, ns) = AsyncBridge.run { () async -> (UInt64, UInt64) in
            await AsyncKernels.onExecutor(pool) {
                let links = (0..<(stages - 1)).compactMap { _ in try? Channel<UInt64>(capacity: capacity) }
                let start = BenchClock.nanoseconds()
                var tasks: [Task<UInt64, Never>] = []
                tasks.append(AsyncKernels.spawnTask(on: pool) { () async -> UInt64 in
                    for item in 1...UInt64(items) { try? await links[0].send(item) }
                    links[0].close()
                    return 0
                })
                for stage in 1..<(stages - 1) {
                    tasks.append(AsyncKernels.spawnTask(on: pool) { () async -> UInt64 in
                        while let item = try? await links[stage - 1].receive() {
                            try? await links[stage].send(item &+ 1)
                        }
                        links[stage].close()
                        return 0
                    })
                }
                var sum: UInt64 = 0
                while let item = try? await links[stages - 2].receive() { sum &+= item }
                for task in tasks { _ = await task.value }
                return (sum, BenchClock.nanoseconds() &- start)
            }
        }
        return KernelOutcome(checksum: sum, metrics: [Metric("items_per_s", Double(items) / (Double(ns) / 1e9))])
    }

    /// parked: `tasks` tasks parked on a channel's receive. Reports the
    /// memory each costs (resident set and heap in use, before and after),
    /// the same for tasks suspended on a bare continuation (Swift's own cost
    /// of a suspended task), and fib(`fibN`) on the pool with the tasks
    /// parked over fib without them (1: parked tasks cost no CPU).
    static func parked(_ context: BackendContext, tasks count: Int, fibN: Int) throws(BenchError) -> KernelOutcome {
        guard let pool = try AsyncKernels.executor(context) else {
            throw .backendFailed(backend: context.backend.rawValue, reason: "parked runs on the pool only")
        }
        let fibAlone = try medianFib(context, fibN)
        guard let channel = try? Channel<UInt64>(capacity: 0, name: "parked") else { return KernelOutcome(checksum: 0) }
        let before = MemoryUse.now()
        let parked = (0..<count).map { _ in
            Task(executorPreference: pool) { () async -> UInt64 in (try? await channel.receive()) == nil ? 1 : 0 }
        }
        while channel.balance > -count { usleep(1000) }
        let during = MemoryUse.now()
        let fibBeside = try medianFib(context, fibN)
        channel.close()
        let woken = AsyncBridge.run { () async -> UInt64 in
            var sum: UInt64 = 0
            for task in parked { sum &+= await task.value }
            return sum
        }
        let bare = bareSuspensionCost(pool, count)
        let channelCost = during.minus(before, per: count)
        return KernelOutcome(checksum: woken, metrics: [
            Metric("rss_bytes_per_task", channelCost.resident), Metric("heap_bytes_per_task", channelCost.heap),
            Metric("bare_rss_bytes_per_task", bare.resident), Metric("bare_heap_bytes_per_task", bare.heap),
            Metric("channel_heap_bytes_per_task", channelCost.heap - bare.heap),
            Metric("fib_beside_over_alone", fibBeside / fibAlone),
        ])
    }

    /// The memory of `count` tasks suspended on bare continuations.
    static func bareSuspensionCost(_ pool: TaskletPool, _ count: Int) -> (resident: Double, heap: Double) {
        let batons = (0..<count).map { _ in Baton() }
        let before = MemoryUse.now()
        let suspended = batons.map { baton in Task(executorPreference: pool) { await baton.take() } }
        while !batons.allSatisfy(\.hasWaiter) { usleep(1000) }
        let after = MemoryUse.now()
        for baton in batons { baton.pass() }
        AsyncBridge.run { for task in suspended { await task.value } }
        return after.minus(before, per: count)
    }

    /// The median time of three fib(n) runs on the pool, in ns.
    static func medianFib(_ context: BackendContext, _ n: Int) throws(BenchError) -> Double {
        var times: [Double] = []
        for _ in 0..<3 {
            let start = BenchClock.nanoseconds()
            _ = try context.inPool { Fib.pool(n) }
            times.append(Double(BenchClock.nanoseconds() &- start))
        }
        return times.sorted()[1]
    }
}

/// The process's resident set and its heap in use, for the `parked` kernel.
struct MemoryUse {
    var resident: Double
    var heap: Double

    static func now() -> MemoryUse {
        let heap = Double(ctb_heap_bytes_in_use())
        return MemoryUse(resident: residentBytes(), heap: heap)
    }

    func minus(_ earlier: MemoryUse, per count: Int) -> (resident: Double, heap: Double) {
        ((resident - earlier.resident) / Double(count), (heap - earlier.heap) / Double(count))
    }

    /// Resident pages (/proc/self/statm, second field) times the page size.
    static func residentBytes() -> Double {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var size = 0
        var resident = 0
        guard withUnsafeMutablePointer(to: &size, { sizePointer in
            withUnsafeMutablePointer(to: &resident) { residentPointer in
                withVaList([sizePointer, residentPointer]) { vfscanf(file, "%ld %ld", $0) }
            }
        }) == 2 else { return 0 }
        return Double(resident) * Double(sysconf(Int32(_SC_PAGESIZE)))
    }
}
