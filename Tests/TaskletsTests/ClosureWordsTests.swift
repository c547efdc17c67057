import Testing
@testable import Tasklets

/// Guards the two-word closure loan that `join` and `run` rely on
/// (`LentClosure`). If a Swift release changes how closures are passed,
/// these fail (or crash) here rather than corrupting a pool.
@Suite struct ClosureWordsTests {
    /// Lends `closure` and calls it back through the loan.
    func callThroughLoan(_ closure: () -> Void) {
        LentClosure.lend(closure) { lent in lent() }
    }

    @Test func aLentClosureSeesItsCapturesAndWritesThrough() {
        var total = 0
        let base = 40
        let text = String(repeating: "ab", count: 50)
        var copy = ""
        callThroughLoan { total = base + 2 }
        callThroughLoan { copy = text + "!" }
        #expect(total == 42)
        #expect(copy == text + "!")
    }

    @Test func aLentClosureRunsOnAnotherThreadWhileItsOwnerWaits() {
        let values = Counters(count: 1)
        var local = [Int](repeating: 0, count: 64)
        local.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeShared(pointer: buffer.baseAddress!)
            LentClosure.lend({
                for index in 0..<64 { shared.pointer[index] = index * 3 }
                values.increment(0)
            }) { lent in
                let loan = UnsafeShared(pointer: UnsafeMutablePointer<LentClosure>.allocate(capacity: 1))
                loan.pointer.initialize(to: lent)
                defer { loan.pointer.deallocate() }
                runConcurrently(1) { _ in loan.pointer.pointee() }
            }
        }
        #expect(values[0] == 1)
        #expect(local == (0..<64).map { $0 * 3 })
    }

    @Test func stolenHalvesOfManyTypesComeBackIntact() throws {
        let pool = try TaskletPool(workers: 2)
        defer { pool.shutdown() }
        for round in 0..<200 {
            let (number, text) = try pool.run {
                join({ () -> [Int] in
                    var spin = 0
                    for step in 0..<2_000 { spin &+= step }
                    return [round, spin]
                }, { String(repeating: "x", count: round % 40) + "\(round)" })
            }
            #expect(number[0] == round)
            #expect(text == String(repeating: "x", count: round % 40) + "\(round)")
        }
    }
}
