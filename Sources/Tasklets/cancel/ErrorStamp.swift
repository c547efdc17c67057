import CTaskletsShims
import Synchronization

/// The moment an error was first thrown, as a number from one clock shared
/// by every thread, so that constructs can deliver "the first error thrown"
/// even when errors reach them in another order (an inner `join` returns its
/// early error only after its other half finished).
///
/// The construct that catches an error first stamps it (`claim`). When a
/// construct rethrows the error it kept, it leaves that error's stamp on the
/// thread, with the error's dynamic type (`leave`), and the next construct to
/// catch an error of that type there takes the stamp over instead of making
/// a new one. So an error keeps the time of its first throw through any
/// number of constructs. A stamp nobody takes is forgotten when the job
/// running on the worker ends (`discard`, in `Registry.run`). (If your code
/// catches such an error and, in the same job, throws another of the same
/// type, the new one inherits the old one's time.)
@usableFromInline
enum ErrorStamp {
    /// Advanced once per stamped error. relaxed: the read-modify-writes of
    /// one atomic are totally ordered, and that order is all a stamp needs.
    static let clock = Atomic<UInt64>(0)

    /// The stamp of `error`, just caught: the one a construct left on this
    /// thread for it, or a new one.
    @usableFromInline
    static func claim(for error: any Error) -> UInt64 {
        let left = ctasklets_take_pending_stamp(typeIdentity(of: error))
        if left != 0 { return left }
        return clock.add(1, ordering: .relaxed).newValue
    }

    /// Before rethrowing `error`, stamped `stamp`: hands the stamp to the
    /// construct that catches it next on this thread.
    @usableFromInline
    static func leave(_ stamp: UInt64, for error: any Error) {
        ctasklets_set_pending_stamp(stamp, typeIdentity(of: error))
    }

    /// Forgets a stamp left for an error that nobody will catch here.
    @usableFromInline
    static func discard() {
        ctasklets_set_pending_stamp(0, nil)
    }

    private static func typeIdentity(of error: any Error) -> UnsafeRawPointer {
        unsafeBitCast(type(of: error) as Any.Type, to: UnsafeRawPointer.self)
    }
}
