import Synchronization

/// Named tasklets: what a worker publishes so that the watchdog and
/// snapshots can say which tasklet runs long.
extension Worker {
    /// A name as one word: the address of a `StaticString`'s text, which
    /// lives as long as the program and ends with a zero byte, so another
    /// thread can read it at any time. 0 for no name (or for a one-scalar
    /// `StaticString`, which has no address).
    static func nameBits(_ name: StaticString?) -> UInt {
        guard let name, name.hasPointerRepresentation else { return 0 }
        return UInt(bitPattern: name.utf8Start)
    }

    /// Runs `body` with `name` published as the running tasklet's.
    @inline(__always)
    func withRunningName<R>(_ name: UInt, _ body: () throws -> R) rethrows -> R {
        guard name != 0 else { return try body() }
        // relaxed: the text is immutable and immortal; only the word travels.
        let saved = runningName.exchange(name, ordering: .relaxed)
        defer { runningName.store(saved, ordering: .relaxed) }
        return try body()
    }

    /// The name of the tasklet `worker` runs, if it has one. A static
    /// function on the pointer: another thread calls it, and a method would
    /// read the whole struct, which its owner modifies.
    static func runningTaskletName(of worker: UnsafeMutablePointer<Worker>) -> String? {
        let bits = worker.pointee.runningName.load(ordering: .relaxed)
        guard let text = UnsafePointer<CChar>(bitPattern: bits) else { return nil }
        return String(cString: text)
    }
}
