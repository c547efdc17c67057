extension Array where Element: Sendable {
    /// Calls `body` in parallel with consecutive chunks of the array, each
    /// `size` elements long (the last may be shorter), for it to change in
    /// place.
    ///
    /// Each call gets the chunk's first index and exclusive access to the
    /// chunk as a `MutableSpan`, so the chunks are written in parallel with
    /// no `unsafe` code and no copy:
    ///
    /// ```swift
    /// var squares = [Int](repeating: 0, count: 1_000)
    /// try pool.run {
    ///     try squares.withParallelChunks(ofCount: 100) { start, chunk in
    ///         for i in chunk.indices { chunk[i] = (start + i) * (start + i) }
    ///     }
    /// }
    /// ```
    ///
    /// - Throws: `TaskletPoolError.invalidChunkSize` for a size below 1.
    ///   Otherwise the first error thrown by `body` (in time), which cancels
    ///   the chunks not yet started; chunks already changed stay changed.
    @inlinable
    public mutating func withParallelChunks(
        ofCount size: Int,
        _ body: @Sendable (_ start: Int, _ chunk: inout MutableSpan<Element>) throws -> Void
    ) throws {
        guard size >= 1 else { throw TaskletPoolError.invalidChunkSize(size) }
        // Not (count + size - 1) / size: that overflows for a huge size.
        let chunks = count == 0 ? 0 : (count - 1) / size + 1
        let count = count
        try withUnsafeMutableBufferPointer { array in
            guard let base = array.baseAddress else { return }
            let elements = SharedBuffer(base)
            try parallelFor(0..<chunks) { chunk in
                let start = chunk * size
                var span = elements.slice(start..<Swift.min(start + size, count)).mutableSpan
                try body(start, &span)
            }
        }
    }
}
