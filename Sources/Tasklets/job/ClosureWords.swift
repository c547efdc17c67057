import CTaskletsShims

/// A closure reduced to its two words: function pointer and context.
///
/// Job records store closures this way, so that a record is a plain value
/// (no reference counting when it is built, copied or dropped) and so that a
/// non-escaping closure can be handed to another thread while its owner
/// waits (see `BorrowedClosure`).
@usableFromInline
struct ClosureWords: @unchecked Sendable {  // two addresses; what they point to decides
    @usableFromInline let function: UnsafeRawPointer
    @usableFromInline let context: UnsafeRawPointer?

    @inlinable
    init(function: UnsafeRawPointer, context: UnsafeRawPointer?) {
        self.function = function
        self.context = context
    }

    @inlinable
    init(_ words: ctasklets_closure) {
        function = words.function.unsafelyUnwrapped
        context = words.context
    }
}

/// Lends a non-escaping closure to another thread while the lender waits.
///
/// By default this is free: the closure's own two words travel in the job
/// record, and the thief gets them back as a closure of the same type. Both
/// steps happen in `CTaskletsShims` (`ctasklets_closure_words`,
/// `ctasklets_with_closure`) and only move words, so the calling convention
/// stays between Swift and Swift; they rely on `@_silgen_name` and on a
/// closure being two words, which `ClosureWordsTests` checks. The lender must
/// not return before the borrower has finished: `join` and `run` wait on a
/// latch for exactly that.
///
/// With the `PortableClosureABI` package trait, the closure is instead
/// escaped with `withoutActuallyEscaping` and boxed: one allocation per
/// lend, and no reliance on anything underscored.
@usableFromInline
enum BorrowedClosure<Result, Failure: Error> {
    @usableFromInline typealias Body = () throws(Failure) -> Result

    /// Calls `body` with words that stand for `closure` until `body` returns.
    @inlinable @inline(__always)
    static func lend<R>(_ closure: Body, _ body: (ClosureWords) -> R) -> R {
        #if PortableClosureABI
        return withoutActuallyEscaping(closure) { escaping in
            let box = Box(escaping)
            return withExtendedLifetime(box) {
                body(ClosureWords(
                    function: UnsafeRawPointer(Unmanaged.passUnretained(box).toOpaque()), context: nil))
            }
        }
        #else
        return body(ClosureWords(_closureWords(closure)))
        #endif
    }

    /// Calls `body` with the closure that `words` stand for.
    @inlinable @inline(__always)
    static func borrow(_ words: ClosureWords, _ body: (Body) -> Void) {
        #if PortableClosureABI
        body(Unmanaged<Box>.fromOpaque(words.function).takeUnretainedValue().closure)
        #else
        _withClosure(words.function, words.context, body)
        #endif
    }

    #if PortableClosureABI
    @usableFromInline
    final class Box {
        @usableFromInline let closure: Body
        @inlinable init(_ closure: @escaping Body) { self.closure = closure }
    }
    #endif
}

#if !PortableClosureABI
@_silgen_name("ctasklets_closure_words")
@usableFromInline
func _closureWords<R, E: Error>(_ closure: () throws(E) -> R) -> ctasklets_closure

@_silgen_name("ctasklets_with_closure")
@usableFromInline
func _withClosure<R, E: Error>(
    _ function: UnsafeRawPointer, _ context: UnsafeRawPointer?,
    _ body: (() throws(E) -> R) -> Void)
#endif

/// A job's invoker: the closure that runs the job, given its record.
///
/// Invokers capture nothing. In specialized code an invoker is a plain
/// function (its context is nil), so a record that holds one costs no
/// allocation and no reference counting; in unspecialized generic code its
/// context holds type metadata, so whoever builds a record keeps the invoker
/// alive (`withExtendedLifetime`) for as long as the record exists.
@usableFromInline
typealias Invoker = @Sendable (JobRef) -> Void

#if !PortableClosureABI
extension ClosureWords {
    /// The invoker's own two words. (Not `unsafeBitCast`: passing a closure
    /// through a generic parameter re-abstracts it into a temporary thunk.)
    @inlinable @inline(__always)
    init(invoker: Invoker) {
        self.init(_invokerWords(invoker))
    }

    /// Calls the invoker these words stand for.
    @inlinable @inline(__always)
    func invoke(_ job: JobRef) {
        ctasklets_invoke_job(function, context, job)
    }
}

@_silgen_name("ctasklets_invoker_words")
@usableFromInline
func _invokerWords(_ invoker: Invoker) -> ctasklets_closure
#endif
