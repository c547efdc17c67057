import Testing
import TaskletsBenchKernels

/// The harness's table of expected checksums says what the spec says.
@Suite struct ExpectedChecksumTests {
    @Test func defaultParametersHaveTheSpecChecksums() {
        let defaults = KernelParameters.defaults
        #expect(ExpectedChecksums.expected(.fib, defaults) == 832_040)
        #expect(ExpectedChecksums.expected(.nqueens, defaults) == 14200)
        #expect(ExpectedChecksums.expected(.uts, defaults) == 7_654_154_416_170_615_471)
        #expect(ExpectedChecksums.expected(.skew, defaults) == 3_692_094_219_406_066_434)
        #expect(ExpectedChecksums.expected(.sum, defaults) == 214_748_354_317_923_200)
    }

    @Test func quickParametersHaveTheSpecChecksums() {
        let quick = KernelParameters.quick
        #expect(ExpectedChecksums.expected(.fib, quick) == 6765)
        #expect(ExpectedChecksums.expected(.nqueens, quick) == 92)
        #expect(ExpectedChecksums.expected(.uts, quick) == 14_617_547_565_985_884_770)
        #expect(ExpectedChecksums.expected(.skew, quick) == 9_693_440_131_641_792_119)
        #expect(ExpectedChecksums.expected(.sum, quick) == 21_474_820_488_724_160)
    }

    @Test func otherSpecVectors() {
        var parameters = KernelParameters.defaults
        parameters.utsWork = 0
        #expect(ExpectedChecksums.expected(.uts, parameters) == 16_307_339_060_580_127_143)
        parameters.fibN = 25
        #expect(ExpectedChecksums.expected(.fib, parameters) == 75025)
        parameters.nqN = 11
        #expect(ExpectedChecksums.expected(.nqueens, parameters) == 2680)
        #expect(KernelParameters.defaults.utsThreshold == 536_334_041)
    }

    @Test func unknownParametersHaveNoExpectedChecksum() {
        var parameters = KernelParameters.defaults
        parameters.utsSeed = 9
        #expect(ExpectedChecksums.expected(.uts, parameters) == nil)
        parameters.sumN = 12345
        #expect(ExpectedChecksums.expected(.sum, parameters) == nil)
        parameters.nqN = 30
        #expect(ExpectedChecksums.expected(.nqueens, parameters) == nil)
    }

    @Test func sumGrainDoesNotChangeTheChecksum() {
        var parameters = KernelParameters.quick
        parameters.sumGrain = 777
        #expect(ExpectedChecksums.expected(.sum, parameters) == 21_474_820_488_724_160)
    }
}
