import CTaskletsShims
import Synchronization

/// The moment an error was first thrown, as a number from one clock shared
/// by every thread, so that constructs can deliver "the first error thrown"
/// even when errors reach them in another order (an inner `join` returns its
/// early error only after its other half finished).
///
/// The construct that catches an error first stamps it (`claim`). When a
/// construct rethrows the error it kept, it leaves that error's stamp on the
/// thread (`leave`), and the next construct to catch it there takes the
/// stamp over instead of making a new one. So an error keeps the time of
/// its first throw through any number of constructs. (If your code catches
/// such an error and throws another in its place, the new error inherits the
/// old one's time.)
@usableFromInline
enum ErrorStamp {
    /// Advanced once per stamped error. relaxed: the read-modify-writes of
    /// one atomic are totally ordered, and that order is all a stamp needs.
    static let clock = Atomic<UInt64>(0)

    /// The stamp of an error just caught: the one a construct left on this
    /// thread for it, or a new one.
    @usableFromInline
    static func claim() -> UInt64 {
        let left = ctasklets_take_pending_stamp()
        if left != 0 { return left }
        return clock.add(1, ordering: .relaxed).newValue
    }

    /// Before rethrowing an error stamped `stamp`: hands the stamp to the
    /// construct that catches it next on this thread.
    @usableFromInline
    static func leave(_ stamp: UInt64) {
        ctasklets_set_pending_stamp(stamp)
    }

    /// Forgets a stamp left for an error that nobody will catch here (a
    /// detached tasklet's error, which goes to the pool's error handler).
    @usableFromInline
    static func discard() {
        _ = ctasklets_take_pending_stamp()
    }
}
