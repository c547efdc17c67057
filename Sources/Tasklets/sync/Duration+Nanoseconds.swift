extension Duration {
    /// This duration in whole nanoseconds: 0 if negative, saturating at
    /// half of `UInt64.max` (about 292 years), so sums stay in range.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        guard seconds < Int64(UInt64.max / 1_000_000_000 / 2) else { return UInt64.max / 2 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
