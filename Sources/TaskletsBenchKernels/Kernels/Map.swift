import Dispatch
import Tasklets

/// map: the Ints 0..<MAP_N through `transform` into a new array, the way a
/// Swift user would write it on each backend: `map` (sequential),
/// `parallelMap` (pool), and `concurrentPerform` writing its chunks into
/// the array (dispatch). The pool's closure names `MapKernel.transform` in
/// full, so that it captures nothing (not even the metatype `self`) and is
/// inlined into `parallelMap`'s element loop (docs/benchmarks.md,
/// "Data-parallel collections").
///
/// `ms` includes the checksum pass over the result; the `map_ms` metric is
/// the map alone, which is what the speedup is about.
enum MapKernel {
    /// A few multiplies per element (the splitmix64 finalizer): enough work
    /// that the map is not bound by memory bandwidth alone.
    @inline(__always)
    static func transform(_ value: Int) -> Int {
        Int(truncatingIfNeeded: KernelHash.mix64(UInt64(truncatingIfNeeded: value)))
    }

    /// The wrapping sum of the results.
    static func checksum(of results: some Sequence<Int>) -> UInt64 {
        results.reduce(0) { $0 &+ UInt64(truncatingIfNeeded: $1) }
    }

    static func run(_ context: BackendContext, count: Int) throws(BenchError) -> KernelOutcome {
        let start = BenchClock.nanoseconds()
        let results: [Int]
        switch context.backend {
        case .sequential:
            results = (0..<count).map(transform)
        case .pool:
            let mapped = try context.inPool { Result { try (0..<count).parallelMap { MapKernel.transform($0) } } }
            do {
                results = try mapped.get()
            } catch {
                throw .backendFailed(backend: context.backend.rawValue, reason: "\(error)")
            }
        case .dispatch:
            results = dispatch(count, chunks: 4 * context.workers)
        case .poolUnsupervised, .taskgroup, .naive:
            throw .backendFailed(backend: context.backend.rawValue, reason: "does not run kernel map")
        }
        let mapMs = BenchClock.milliseconds(from: start, to: BenchClock.nanoseconds())
        return KernelOutcome(checksum: checksum(of: results), metrics: [Metric("map_ms", mapMs)])
    }

    /// `concurrentPerform` over `chunks` equal slices of the result.
    static func dispatch(_ count: Int, chunks: Int) -> [Int] {
        [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            let slots = DisjointSlots(buffer)
            let chunkSize = (count + chunks - 1) / Swift.max(chunks, 1)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let lower = Swift.min(chunk * chunkSize, count)
                for index in lower..<Swift.min(lower + chunkSize, count) {
                    (slots.buffer.baseAddress! + index).initialize(to: transform(index))
                }
            }
            initialized = count
        }
    }
}
