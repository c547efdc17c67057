// expect-ok
// The README's "Using it" example compiles in Swift 6 mode with no `unsafe`.
import Tasklets

func fib(_ n: Int) -> Int {
    if n < 2 { return n }
    let (a, b) = join({ fib(n - 1) }, { fib(n - 2) })  // b may run on another core
    return a + b
}

let pool = try TaskletPool()                 // or TaskletPool(workers: 4)
let value = try pool.run { fib(35) }         // enter the pool from any thread

// Collections in parallel, in order, with no `unsafe`: Rayon's par_iter.
let numbers = Array(1...1_000_000)
let squares = try pool.run { try numbers.parallelMap { $0 * $0 } }
let evens = try pool.run { try numbers.parallelCompactMap { $0 % 2 == 0 ? String($0) : nil } }
let sum = try pool.run { try squares.parallelSum() }
let firstBig = try pool.run { try squares.parallelFirstIndex { $0 > 1_000 } }  // stops early
let sorted = try pool.run { numbers.shuffled().parallelSorted() }  // a stable parallel merge sort

// Disjoint chunks of an array, changed in place, in parallel.
func gradient(on pool: TaskletPool) throws -> [UInt8] {
    var pixels = [UInt8](repeating: 0, count: 1 << 20)
    try pool.run {
        try pixels.withParallelChunks(ofCount: 4_096) { start, chunk in
            for i in chunk.indices { chunk[i] = UInt8(truncatingIfNeeded: start + i) }
        }
    }
    return pixels
}

// A scope waits for every tasklet spawned in it, nested ones too.
try pool.run {
    scope { s in
        s.spawn { print("one") }
        s.spawn { s in s.spawn { print("nested") } }
    }
}

// Loops over ranges, adaptive splitting unless you give a grain.
let total = try pool.run {
    try parallelReduce(0..<1_000_000, identity: 0, combine: +) { range in range.reduce(0, +) }
}
print(evens.count, sum, firstBig ?? -1, sorted == numbers, try gradient(on: pool).count, total)

try pool.spawn { print("detached") }         // errors go to the pool's error handler
pool.shutdown()                              // finishes queued work, joins the threads
