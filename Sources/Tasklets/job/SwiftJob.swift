import Synchronization

/// Swift runtime jobs in the pool's queues.
///
/// An `UnownedJob` is one pointer to a runtime job object (16-byte aligned).
/// The queues carry it as a `JobRef` with the low bit set, so that a worker
/// can tell it from a job record (whose low bit is clear) and run it with
/// `runSynchronously` instead of through a `JobHeader`. No allocation per
/// job. `SwiftJobTests` checks the layout this relies on.
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
    /// The runtime metadata that every task object starts with (all tasks
    /// share it), learned from the first task seen; 0 until then.
    private static let taskMetadata = Atomic<UInt>(0)

    /// Whether this job, enqueued now, is the running task giving way: a
    /// `Task.yield()` enqueues a job that is not a task (a continuation job)
    /// from inside a task. Jobs are told apart by their runtime metadata,
    /// the first word of every Swift heap object.
    var isYieldOfRunningTask: Bool {
        let job = UnsafeRawPointer(bitPattern: unsafeBitCast(self, to: UInt.self)).unsafelyUnwrapped
        var known = UnownedJob.taskMetadata.load(ordering: .relaxed)
        if known == 0 {
            // relaxed: the value is the same whoever stores it.
            known = withUnsafeCurrentTask { running -> UInt in
                guard let running else { return 0 }
                let task = UnsafeRawPointer(bitPattern: unsafeBitCast(running, to: UInt.self)).unsafelyUnwrapped
                return task.load(as: UInt.self)
            }
            guard known != 0 else { return false }  // not inside a task: not a yield
            UnownedJob.taskMetadata.store(known, ordering: .relaxed)
        }
        return job.load(as: UInt.self) != known
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
