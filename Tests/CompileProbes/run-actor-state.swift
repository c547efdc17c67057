// expect-error: actor-isolated property 'count' can not be referenced from a nonisolated context
// Nor may it touch an actor's state.
import Tasklets

actor Counter {
    var count = 0
    func total(_ pool: TaskletPool) throws -> Int {
        try pool.run { self.count + 1 }
    }
}
