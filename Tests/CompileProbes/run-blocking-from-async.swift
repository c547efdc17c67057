// expect-error: expression is 'async' but is not marked with 'await'
// From async code the blocking `run` is not available (it would hold one of
// Swift's few cooperative threads): the compiler picks the async `run`,
// which must be awaited.
import Tasklets

func fromAsyncCode(_ pool: TaskletPool) async throws -> Int {
    try pool.run { 42 }
}
