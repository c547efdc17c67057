import Testing
import TaskletsBenchKernels

@Suite struct HashTests {
    @Test func mix64MatchesTheSpecVectors() {
        #expect(KernelHash.mix64(0) == 0)
        #expect(KernelHash.mix64(1) == 6_238_072_747_940_578_789)
        #expect(KernelHash.mix64(52) == 7_356_269_083_696_073_767)
    }

    @Test func spinMatchesTheSpecVectors() {
        #expect(KernelHash.spin(0, 0) == 0)
        #expect(KernelHash.spin(0, 1) == 16_294_208_416_658_607_535)
        #expect(KernelHash.spin(0, 10) == 266_964_796_053_755_450)
        #expect(KernelHash.spin(7, 1000) == 13_491_606_407_172_525_146)
    }
}
