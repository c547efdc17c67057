import Synchronization
import Testing
@testable import Tasklets

/// Guards the two-word closure handoff that `join` and `run` rely on
/// (`BorrowedClosure`, `Invoker`). If a Swift release changes how closures
/// are passed, these fail (or crash) here rather than corrupting a pool.
@Suite struct ClosureWordsTests {
    struct Failure: Error, Equatable { let code: Int }

    /// Lends `closure` and calls it back through its words, in generic code.
    func roundTrip<T, E: Error>(_ closure: () throws(E) -> T) -> Result<T, E>? {
        var outcome: Result<T, E>? = nil
        BorrowedClosure<T, E>.lend(closure) { words in
            BorrowedClosure<T, E>.borrow(words) { borrowed in
                outcome = Result { () throws(E) -> T in try borrowed() }
            }
        }
        return outcome
    }

    @Test func lentClosuresKeepTheirCapturesAndResults() throws {
        let base = 40
        let text = String(repeating: "ab", count: 50)
        #expect(try roundTrip { base + 2 }?.get() == 42)
        #expect(try roundTrip { text + "!" }?.get() == text + "!")
        #expect(try roundTrip { [base, base + 1] }?.get() == [40, 41])
        let failed: Result<Int, Failure>? = roundTrip { () throws(Failure) -> Int in throw Failure(code: base) }
        #expect(throws: Failure(code: 40)) { try failed?.get() }
    }

    func invoke<T: Sendable>(_ value: T, into box: UnsafeMutablePointer<Int>) {
        let invoker: Invoker = { job in
            job.assumingMemoryBound(to: Int.self).pointee += (value is Int ? 1 : 2)
        }
        withExtendedLifetime(invoker) {
            var record = JobHeader(invoker: invoker)
            _ = withUnsafeMutablePointer(to: &record) { _ in 0 }
            record.invoke(JobRef(box))
        }
    }

    @Test func invokersWorkInGenericCode() {
        var counter = 40
        withUnsafeMutablePointer(to: &counter) { box in
            invoke("text", into: box)
        }
        #expect(counter == 42)
    }

    @Test func jobHeaderIsTheFirstWordsOfAStackJob() {
        let invoker: Invoker = { _ in }
        var results = 0
        withExtendedLifetime(invoker) {
            withUnsafeMutablePointer(to: &results) { results in
                let lent = ClosureWords(function: UnsafeRawPointer(results), context: nil)
                var job = StackJob(invoker: invoker, body: lent, results: UnsafeMutableRawPointer(results))
                withUnsafeMutablePointer(to: &job) { record in
                    #expect(UnsafeRawPointer(record) == UnsafeRawPointer(JobRef(record).assumingMemoryBound(to: JobHeader.self)))
                    #expect(record.pointee.body.function == lent.function)
                    #expect(record.pointee.results == UnsafeMutableRawPointer(results))
                }
            }
        }
    }
}
