// expect-error: main actor-isolated global function 'mainActorOnly()' in a synchronous nonisolated context
// The async `run` runs its body on a worker thread too.
import Tasklets

@MainActor func mainActorOnly() -> Int { 1 }

@MainActor func caller(_ pool: TaskletPool) async throws -> Int {
    try await pool.run { mainActorOnly() }
}
