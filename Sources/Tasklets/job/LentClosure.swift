import CTaskletsShims

/// A non-escaping `() -> Void` closure lent to another thread while its
/// owner waits: how `join` and `run` hand work to a thief with no allocation
/// and no reference counting.
///
/// By default the closure's own two words (function pointer, context) travel
/// in the job record and the thief calls them through `CTaskletsShims`. That
/// relies on `@_silgen_name` and on a Swift closure being those two words,
/// called with its context in `swiftself`; `ClosureWordsTests` checks it.
/// The lender must not return before the borrower has finished: `join` and
/// `run` wait on a latch for exactly that, and the closure is an argument of
/// the lender's call, so it lives until that call returns.
///
/// With the `PortableClosureABI` package trait, the closure is instead
/// escaped with `withoutActuallyEscaping` and boxed: one allocation per lend
/// and nothing underscored.
@usableFromInline
struct LentClosure {
    @usableFromInline let function: UnsafeRawPointer
    @usableFromInline let context: UnsafeRawPointer?

    @inlinable
    init(function: UnsafeRawPointer, context: UnsafeRawPointer?) {
        self.function = function
        self.context = context
    }

    /// Calls `body` with a loan of `closure`, valid until `body` returns.
    @inlinable @inline(__always)
    static func lend<R>(_ closure: () -> Void, _ body: (LentClosure) -> R) -> R {
        #if PortableClosureABI
        return withoutActuallyEscaping(closure) { escaping in
            let box = Box(escaping)
            return withExtendedLifetime(box) {
                body(LentClosure(
                    function: UnsafeRawPointer(Unmanaged.passUnretained(box).toOpaque()), context: nil))
            }
        }
        #else
        let words = _closureWords(closure)
        return body(LentClosure(function: words.function.unsafelyUnwrapped, context: words.context))
        #endif
    }

    /// Calls the lent closure; its lender must still be waiting.
    @inlinable @inline(__always)
    func callAsFunction() {
        #if PortableClosureABI
        Unmanaged<Box>.fromOpaque(function).takeUnretainedValue().closure()
        #else
        ctasklets_call_closure(function, context)
        #endif
    }

    #if PortableClosureABI
    @usableFromInline
    final class Box {
        @usableFromInline let closure: () -> Void
        @inlinable init(_ closure: @escaping () -> Void) { self.closure = closure }
    }
    #endif
}

#if !PortableClosureABI
@_silgen_name("ctasklets_closure_words")
@usableFromInline
func _closureWords(_ closure: () -> Void) -> ctasklets_closure
#endif
