@_spi(ExperimentalCustomExecutors) import _Concurrency

/// Swift runtime jobs in the pool's queues.
///
/// An `UnownedJob` is one pointer to a runtime job object (16-byte aligned).
/// The queues carry it as a `JobRef` with the low bit set, so that a worker
/// can tell it from a job record (whose low bit is clear) and run it with
/// `runSynchronously` instead of through a `JobHeader`. No allocation per
/// job. `SwiftJobTests` checks the layout this relies on, and the kind of a
/// yield.
extension JobRef {
    /// The tagged reference of a Swift job.
    @inlinable
    init(swiftJob job: UnownedJob) {
        let bits = unsafeBitCast(job, to: UInt.self)
        self = UnsafeMutableRawPointer(bitPattern: bits | 1).unsafelyUnwrapped
    }

    /// Whether this reference is a Swift job rather than a job record.
    @inlinable @inline(__always)
    var isSwiftJob: Bool {
        UInt(bitPattern: self) & 1 != 0
    }

    /// The Swift job; only when `isSwiftJob`.
    @inlinable
    var swiftJob: UnownedJob {
        unsafeBitCast(UInt(bitPattern: self) & ~1, to: UnownedJob.self)
    }
}

extension UnownedJob {
    /// The runtime's kind of the continuation job that `Task.yield()` (and
    /// `Task.sleep`) enqueues: `JobKind::NullaryContinuation`, the fourth of
    /// the kinds reserved to the runtime. A default actor's processing job
    /// (kinds 192-194) and a task (0) are other kinds. `SwiftJobTests`
    /// checks that a yield still arrives with this kind.
    static let yieldKind = ExecutorJob.Kind.firstReserved.rawValue + 3

    /// Whether this job is a task giving way (`Task.yield()`), as opposed to
    /// a task woken, a child started, or an actor's processing job.
    var isYield: Bool {
        ExecutorJob(self).kind.rawValue == UnownedJob.yieldKind
    }
}

/// The three classes a worker's task queues and the injectors keep apart,
/// from a job's priority: high (`high`, `userInitiated`: 25 and up), normal
/// (`medium`: 21, and unspecified: 0), low (`low`/`utility`: 17,
/// `background`: 9).
@usableFromInline
enum JobClass: Int, CaseIterable, Sendable {
    case high = 0, normal = 1, low = 2

    /// Picks a waiting class may be passed over before it goes first.
    static let agingLimit = 8

    @usableFromInline
    init(_ priority: JobPriority) {
        switch priority.rawValue {
        case 25...: self = .high
        case 0, 21...: self = .normal
        default: self = .low
        }
    }
}

/// Priority order with aging: high before normal before low, except that a
/// class that has been passed over `JobClass.agingLimit` times while it had
/// work goes first once (docs/async.md, "Priorities with aging"). So with
/// nothing waiting long, the order is strict, and a job at the head of any
/// class waits at most `agingLimit` picks of the classes above it.
struct Aging {
    private var passedOverNormal = 0
    private var passedOverLow = 0

    /// The class to take from, given which classes have work (nil if none),
    /// and the bookkeeping of having taken from it.
    mutating func pick(high: Bool, normal: Bool, low: Bool) -> JobClass? {
        let chosen: JobClass
        if low && passedOverLow >= JobClass.agingLimit {
            chosen = .low
        } else if normal && passedOverNormal >= JobClass.agingLimit {
            chosen = .normal
        } else if high {
            chosen = .high
        } else if normal {
            chosen = .normal
        } else if low {
            chosen = .low
        } else {
            return nil
        }
        switch chosen {
        case .high:
            if normal { passedOverNormal += 1 }
            if low { passedOverLow += 1 }
        case .normal:
            passedOverNormal = 0
            if low { passedOverLow += 1 }
        case .low:
            passedOverLow = 0
        }
        return chosen
    }
}
