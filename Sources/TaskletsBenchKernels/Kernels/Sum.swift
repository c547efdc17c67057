import Dispatch
import Tasklets

/// sum: a reduction of SUM_N uint32 with grain SUM_GRAIN (memory bandwidth).
enum Sum {
    /// The array `a[i] = low 32 bits of (i * 0x9E3779B9)`, filled once before
    /// the timed runs and shared read-only by every task.
    final class Input: @unchecked Sendable {
        let elements: UnsafeMutablePointer<UInt32>
        let count: Int

        init(count: Int) {
            self.count = count
            elements = .allocate(capacity: count)
            for index in 0..<count { elements[index] = UInt32(truncatingIfNeeded: UInt64(index) &* 0x9E37_79B9) }
        }

        deinit { elements.deallocate() }

        /// `a[lower] + ... + a[upper-1]` as uint64.
        @inline(__always)
        func leaf(_ lower: Int, _ upper: Int) -> UInt64 {
            var total: UInt64 = 0
            for index in lower..<upper { total &+= UInt64(elements[index]) }
            return total
        }
    }

    static func run(_ context: BackendContext, _ input: Input, grain: Int) throws(BenchError) -> KernelOutcome {
        switch context.backend {
        case .sequential:
            return KernelOutcome(checksum: sequential(input, 0, input.count, grain))
        case .pool, .poolUnsupervised:
            let total = try context.inPool { () -> Result<UInt64, any Error> in
                Result { try pool(input, grain) }
            }
            switch total {
            case .success(let sum): return KernelOutcome(checksum: sum)
            case .failure(let error): throw .backendFailed(backend: context.backend.rawValue, reason: "\(error)")
            }
        case .dispatch:
            return KernelOutcome(checksum: dispatch(input, grain))
        case .taskgroup:
            return KernelOutcome(checksum: AsyncBridge.run { await taskGroup(input, 0, input.count, grain) })
        case .naive:
            let naivePool = try context.naivePool()
            return KernelOutcome(checksum: naivePool.runBlocking { naive(input, 0, input.count, grain, naivePool) })
        }
    }

    /// The spec's recursion without spawning: the same leaves as the others.
    static func sequential(_ input: Input, _ lower: Int, _ upper: Int, _ grain: Int) -> UInt64 {
        if upper - lower <= grain { return input.leaf(lower, upper) }
        let middle = lower + (upper - lower) / 2
        return sequential(input, lower, middle, grain) &+ sequential(input, middle, upper, grain)
    }

    /// `parallelReduce` with a fixed grain splits exactly as the spec does.
    static func pool(_ input: Input, _ grain: Int) throws -> UInt64 {
        try parallelReduce(0..<input.count, grain: grain, identity: 0, combine: { $0 &+ $1 }) { range in
            input.leaf(range.lowerBound, range.upperBound)
        }
    }

    /// `concurrentPerform` over ceil(N / GRAIN) chunks of GRAIN elements.
    static func dispatch(_ input: Input, _ grain: Int) -> UInt64 {
        let chunks = (input.count + grain - 1) / grain
        let partials = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: chunks)
        defer { partials.deallocate() }
        let slots = DisjointSlots(partials)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lower = chunk * grain
            slots.buffer[chunk] = input.leaf(lower, min(lower + grain, input.count))
        }
        return partials.reduce(0, &+)
    }

    static func taskGroup(_ input: Input, _ lower: Int, _ upper: Int, _ grain: Int) async -> UInt64 {
        if upper - lower <= grain { return input.leaf(lower, upper) }
        let middle = lower + (upper - lower) / 2
        return await withTaskGroup(of: UInt64.self) { group in
            group.addTask { await taskGroup(input, lower, middle, grain) }
            var total = await taskGroup(input, middle, upper, grain)
            for await value in group { total &+= value }
            return total
        }
    }

    static func naive(_ input: Input, _ lower: Int, _ upper: Int, _ grain: Int, _ pool: NaivePool) -> UInt64 {
        if upper - lower <= grain { return input.leaf(lower, upper) }
        let middle = lower + (upper - lower) / 2
        let (right, left) = pool.join(
            { naive(input, middle, upper, grain, pool) },
            { naive(input, lower, middle, grain, pool) })
        return left &+ right
    }
}
