import CTaskletsShims
import Synchronization

/// One node of the cancellation tree: a scope, a parallel loop or a throwing
/// `join`. Its parent is the node that was current when the construct began,
/// so code deep inside nested constructs sees the cancellation of any of
/// them (as a Swift child task sees its parent's).
///
/// A node is cancelled once its construct has an error to throw: the first
/// error thrown inside it, in time (docs/join.md, "Errors and cancellation").
/// Work of that construct that has not started yet is then skipped; work
/// that runs can ask (`Tasklet.isCancelled`, `isCancelled` on the scopes).
///
/// Nodes sit at fixed addresses (a loop's or a join's stack frame, a scope's
/// own allocation) and every job started inside a construct finishes before
/// the construct returns, so a child holds a plain pointer to its parent.
@usableFromInline
struct CancellationNode: ~Copyable {
    @usableFromInline let parent: UnsafePointer<CancellationNode>?
    @usableFromInline let cancelled: Atomic<Bool>

    @inlinable
    init(parent: UnsafePointer<CancellationNode>?) {
        self.parent = parent
        cancelled = Atomic(false)
    }

    /// Marks this node cancelled. relaxed: the flag is advice to work that
    /// has not started; the errors themselves travel through the latches and
    /// locks that end each construct.
    @inlinable
    func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    /// Whether this node itself was cancelled (its construct has an error).
    @inlinable
    var isCancelled: Bool {
        cancelled.load(ordering: .relaxed)
    }

    /// Whether this node or any node around it was cancelled.
    @inlinable
    var isCancelledHereOrAbove: Bool {
        if isCancelled { return true }
        var next = parent
        while let node = next {
            if node.pointee.isCancelled { return true }
            next = node.pointee.parent
        }
        return false
    }
}

/// The cancellation node of the code running on this thread (a C `__thread`
/// variable): set by each construct around the work it runs, and by a
/// worker around each job it takes from a queue, to the node the job was
/// created in. nil at the top of a thread or of a detached tasklet.
@usableFromInline
enum Ambient {
    @inlinable @inline(__always)
    static var node: UnsafePointer<CancellationNode>? {
        ctasklets_context()?.assumingMemoryBound(to: CancellationNode.self)
    }

    /// Runs `body` with `node` as the current node, then restores the old one.
    @inlinable @inline(__always)
    static func with<R, E: Error>(
        _ node: UnsafePointer<CancellationNode>?, _ body: () throws(E) -> R
    ) throws(E) -> R {
        let saved = ctasklets_context()
        ctasklets_set_context(UnsafeRawPointer(node))
        defer { ctasklets_set_context(saved) }
        return try body()
    }
}

/// A node's address, to hand to the halves of a `join` (which are
/// `@Sendable`). Sound because a node outlives every job started inside its
/// construct, and other threads touch only its atomic flag.
@usableFromInline
struct NodePointer: @unchecked Sendable {
    @usableFromInline let node: UnsafePointer<CancellationNode>

    @inlinable
    init(_ node: UnsafePointer<CancellationNode>) {
        self.node = node
    }
}

/// A cancellation node on the heap, for a construct whose node must outlive
/// its frame: a scope (its tasklets hold the scope's state) and an async
/// `run` (the task's cancellation handler may fire after the body returned).
/// Owns the node's memory. Sendable: other threads touch only the node's
/// atomic flag.
struct HeapCancellationNode: ~Copyable, @unchecked Sendable {
    let node: UnsafeMutablePointer<CancellationNode>

    init(parent: UnsafePointer<CancellationNode>?) {
        node = .allocate(capacity: 1)
        node.initialize(to: CancellationNode(parent: parent))
    }

    deinit {
        node.deinitialize(count: 1)
        node.deallocate()
    }
}
