import Dispatch
import Tasklets

/// nqueens: bitmask backtracking, one spawn per valid placement (n-ary spawning).
enum NQueens {
    /// The board: its size and the mask of its columns.
    struct Board: Sendable {
        let n: Int
        let mask: UInt32
        init(_ n: Int) {
            self.n = n
            mask = n == 32 ? UInt32.max : (UInt32(1) << UInt32(n)) &- 1
        }
        @inline(__always) func free(_ cols: UInt32, _ ld: UInt32, _ rd: UInt32) -> UInt32 {
            ~(cols | ld | rd) & mask
        }
    }

    static func run(_ context: BackendContext, _ n: Int) throws(BenchError) -> KernelOutcome {
        let board = Board(n)
        switch context.backend {
        case .sequential:
            return KernelOutcome(checksum: sequential(board, 0, 0, 0, 0))
        case .pool, .poolUnsupervised:
            return KernelOutcome(checksum: try context.inPool { pool(board, 0, 0, 0, 0) })
        case .dispatch:
            let counters = SharedCounters()
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) {
                dispatch(board, 0, 0, 0, 0, DispatchQueue.global(), group, counters)
            }
            group.wait()
            return KernelOutcome(checksum: counters.sum.load(ordering: .acquiring))
        case .taskgroup:
            return KernelOutcome(checksum: AsyncBridge.run { await taskGroup(board, 0, 0, 0, 0) })
        case .naive:
            let naivePool = try context.naivePool()
            return KernelOutcome(checksum: naivePool.runBlocking { naive(board, 0, 0, 0, 0, naivePool) })
        }
    }

    static func sequential(_ board: Board, _ row: Int, _ cols: UInt32, _ ld: UInt32, _ rd: UInt32) -> UInt64 {
        if row == board.n { return 1 }
        var avail = board.free(cols, ld, rd)
        var count: UInt64 = 0
        while avail != 0 {
            let bit = avail & (0 &- avail)
            avail &= avail &- 1
            count &+= sequential(board, row + 1, cols | bit, (ld | bit) &<< 1, (rd | bit) &>> 1)
        }
        return count
    }

    static func pool(_ board: Board, _ row: Int, _ cols: UInt32, _ ld: UInt32, _ rd: UInt32) -> UInt64 {
        if row == board.n { return 1 }
        return poolPlacements(board, row, board.free(cols, ld, rd), cols, ld, rd)
    }

    /// The placements of `bits` in one row, by a chain of binary joins: the
    /// lowest bit here, the rest as the stealable half.
    static func poolPlacements(
        _ board: Board, _ row: Int, _ bits: UInt32, _ cols: UInt32, _ ld: UInt32, _ rd: UInt32
    ) -> UInt64 {
        if bits == 0 { return 0 }
        let bit = bits & (0 &- bits)
        let rest = bits & (bits &- 1)
        if rest == 0 { return pool(board, row + 1, cols | bit, (ld | bit) &<< 1, (rd | bit) &>> 1) }
        let (here, others) = join(
            { pool(board, row + 1, cols | bit, (ld | bit) &<< 1, (rd | bit) &>> 1) },
            { poolPlacements(board, row, rest, cols, ld, rd) })
        return here &+ others
    }

    /// Every placement is an async block; solutions add to a counter.
    static func dispatch(
        _ board: Board, _ row: Int, _ cols: UInt32, _ ld: UInt32, _ rd: UInt32,
        _ queue: DispatchQueue, _ group: DispatchGroup, _ counters: SharedCounters
    ) {
        if row == board.n { counters.add(1); return }
        var avail = board.free(cols, ld, rd)
        while avail != 0 {
            let bit = avail & (0 &- avail)
            avail &= avail &- 1
            queue.async(group: group) {
                dispatch(board, row + 1, cols | bit, (ld | bit) &<< 1, (rd | bit) &>> 1, queue, group, counters)
            }
        }
    }

    static func taskGroup(_ board: Board, _ row: Int, _ cols: UInt32, _ ld: UInt32, _ rd: UInt32) async -> UInt64 {
        if row == board.n { return 1 }
        return await withTaskGroup(of: UInt64.self) { group in
            var avail = board.free(cols, ld, rd)
            while avail != 0 {
                let bit = avail & (0 &- avail)
                avail &= avail &- 1
                group.addTask { await taskGroup(board, row + 1, cols | bit, (ld | bit) &<< 1, (rd | bit) &>> 1) }
            }
            var count: UInt64 = 0
            for await value in group { count &+= value }
            return count
        }
    }

    /// Every placement is a queued task; the parent waits for all of them.
    static func naive(
        _ board: Board, _ row: Int, _ cols: UInt32, _ ld: UInt32, _ rd: UInt32, _ pool: NaivePool
    ) -> UInt64 {
        if row == board.n { return 1 }
        var avail = board.free(cols, ld, rd)
        var children: [(NaivePool.Job, ResultSlot<UInt64>)] = []
        while avail != 0 {
            let bit = avail & (0 &- avail)
            avail &= avail &- 1
            let slot = ResultSlot<UInt64>()
            let job = pool.spawn { slot.value = naive(board, row + 1, cols | bit, (ld | bit) &<< 1, (rd | bit) &>> 1, pool) }
            children.append((job, slot))
        }
        var count: UInt64 = 0
        for (job, slot) in children {
            pool.wait(job)
            count &+= slot.take()
        }
        return count
    }
}
