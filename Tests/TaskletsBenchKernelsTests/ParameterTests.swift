import Testing
import TaskletsBenchKernels

/// Options win over environment variables, which win over the base, and
/// bad values fail with a one-line message naming the source and the range.
@Suite struct ParameterTests {
    @Test func environmentOverridesTheBase() throws {
        let parameters = try KernelParameters.resolve(
            options: [:], environment: ["FIB_N": "25", "UTS_SEED": "8", "UTS_Q": "0.2", "SKEW_NSHORT": "7"])
        #expect(parameters.fibN == 25)
        #expect(parameters.utsSeed == 8)
        #expect(parameters.utsQ == 0.2)
        #expect(parameters.skewNShort == 7)
        #expect(parameters.nqN == KernelParameters.defaults.nqN)
    }

    @Test func anOptionWinsOverItsEnvironmentVariable() throws {
        let parameters = try KernelParameters.resolve(
            options: [.fibN: "35"], environment: ["FIB_N": "25", "NQ_N": "9"])
        #expect(parameters.fibN == 35)
        #expect(parameters.nqN == 9)
    }

    @Test func theBaseIsKeptWhereNothingIsGiven() throws {
        let parameters = try KernelParameters.resolve(base: .quick, options: [:], environment: [:])
        #expect(parameters == KernelParameters.quick)
    }

    @Test func namesFollowTheSpec() {
        #expect(KernelParameter.skewNShort.environmentVariable == "SKEW_NSHORT")
        #expect(KernelParameter.skewNShort.optionName == "skew-nshort")
        #expect(KernelParameter.utsB0.environmentVariable == "UTS_B0")
        #expect(KernelParameter.fibN.optionName == "fib-n")
        #expect(KernelParameter.sumGrain.environmentVariable == "SUM_GRAIN")
    }

    @Test func aBadOptionNamesTheOptionAndTheRange() {
        #expect(throws: BenchError.invalidValue(
            source: "--fib-n", value: "abc", expected: "a whole number from 0 to 92")
        ) {
            try KernelParameters.resolve(options: [.fibN: "abc"], environment: [:])
        }
    }

    @Test func aBadEnvironmentVariableNamesTheVariable() {
        #expect(throws: BenchError.invalidValue(
            source: "NQ_N", value: "33", expected: "a whole number from 1 to 32")
        ) {
            try KernelParameters.resolve(options: [:], environment: ["NQ_N": "33"])
        }
    }

    @Test func aGoodOptionHidesABadEnvironmentVariable() throws {
        let parameters = try KernelParameters.resolve(options: [.sumN: "1000"], environment: ["SUM_N": "lots"])
        #expect(parameters.sumN == 1000)
    }

    @Test(arguments: ["-1", "1.5", "", "nan", "2"])
    func utsQMustBeAProbability(_ text: String) {
        #expect(throws: BenchError.self) { try KernelParameters.resolve(options: [.utsQ: text], environment: [:]) }
    }

    @Test func zeroGrainIsRefused() {
        #expect(throws: BenchError.self) { try KernelParameters.resolve(options: [.sumGrain: "0"], environment: [:]) }
    }
}
