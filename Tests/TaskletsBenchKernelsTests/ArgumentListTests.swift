import Testing
import TaskletsBenchKernels

/// Lists of kernels, backends and worker counts, and their errors.
@Suite struct ArgumentListTests {
    @Test func kernelsAndBackendsParse() throws {
        #expect(try ArgumentLists.kernels("fib,uts,fib") == [.fib, .uts])
        #expect(try ArgumentLists.kernels("all") == KernelName.allCases)
        #expect(try ArgumentLists.backends("pool, naive") == [.pool, .naive])
        #expect(try ArgumentLists.workers("1,2,4") == [1, 2, 4])
        #expect(try ArgumentLists.format("json") == .json)
    }

    @Test func anUnknownKernelNamesTheValidOnes() {
        do {
            _ = try ArgumentLists.kernels("fib,fibb")
            Issue.record("no error")
        } catch {
            #expect(error == .unknownName(kind: "kernel", name: "fibb", valid: KernelName.allCases.map(\.rawValue)))
            #expect(error.description.contains("expected one of fib, nqueens, uts"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func anUnknownBackendNamesTheValidOnes() {
        #expect(throws: BenchError.unknownName(
            kind: "backend", name: "rayon", valid: BackendName.allCases.map(\.rawValue))
        ) { try ArgumentLists.backends("pool,rayon") }
    }

    @Test(arguments: ["0", "x", "1,,2", "", "5000", "-1"])
    func badWorkerListsAreRefused(_ text: String) {
        #expect(throws: BenchError.self) { try ArgumentLists.workers(text) }
    }

    @Test func repetitionsHaveARange() {
        #expect(throws: BenchError.invalidValue(
            source: "--repetitions", value: "2", expected: "a whole number from 3 to 10")
        ) { try ArgumentLists.count("2", option: "--repetitions", range: 3...10) }
        #expect(throws: BenchError.self) { try ArgumentLists.format("xml") }
    }
}
