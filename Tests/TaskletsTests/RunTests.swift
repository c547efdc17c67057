import Testing
@testable import Tasklets

@Suite struct RunTests {
    @Test func runInt() throws {
        let pool = try TaskletPool(workers: 1)
        defer { pool.shutdown() }
        #expect(try pool.run { 41 + 1 } == 42)
    }
}
