// expect-error: main actor-isolated global function 'mainActorOnly()' in a synchronous nonisolated context
// A `run` body executes on a worker thread, so it must not be isolated to
// the caller's actor: calling main-actor code from it does not compile.
import Tasklets

@MainActor func mainActorOnly() -> Int { 1 }

@MainActor func caller(_ pool: TaskletPool) throws -> Int {
    try pool.run { mainActorOnly() }
}
