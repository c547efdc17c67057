import Foundation

/// Runs `body` on a thread of its own and suspends until it returns.
///
/// Swift Testing runs tests on the cooperative thread pool, which has one
/// thread per CPU. The harness blocks its caller (on a semaphore, a group,
/// a pool), and the taskgroup backend needs that very pool: blocking a
/// cooperative thread from a test could starve it. A plain thread cannot.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.stackSize = 16 << 20
        thread.start()
    }
}
