// expect-error: sending value of non-Sendable type
// The body is `sending`: a non-Sendable value it captures goes to the
// worker, and the caller may not use it afterwards (make it Sendable, or
// return what you need from the body).
import Tasklets

final class Accumulator {  // not Sendable
    var total = 0
}

func reuse(_ pool: TaskletPool) throws -> Int {
    let accumulator = Accumulator()
    try pool.run { accumulator.total += 1 }
    return accumulator.total
}
