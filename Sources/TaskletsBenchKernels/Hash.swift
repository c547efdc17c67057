/// The shared hash of the benchmark kernels (`docs/kernels.md`).
public enum KernelHash {
    public static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
    public static let childConstant: UInt64 = 0xD1B5_4A32_D192_ED03

    /// The splitmix64 finalizer.
    @inlinable
    public static func mix64(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `rounds` rounds of work; `spin(h, 0) == h`.
    @inlinable
    public static func spin(_ value: UInt64, _ rounds: Int) -> UInt64 {
        var h = value
        for _ in 0..<rounds { h = mix64(h &+ golden) }
        return h
    }
}
