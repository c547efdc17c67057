extension TaskletPool {
    /// The environment variable that sets the stack size of worker threads
    /// when `init` is not given one: a number of bytes, optionally with a
    /// binary suffix `K`, `M` or `G` (`TASKLETS_STACK_SIZE=64M`).
    public static let stackSizeVariable = "TASKLETS_STACK_SIZE"

    /// The stack size of a worker thread by default: 16 MiB, room for about
    /// 100,000 nested `join`s in a release build (about 5,000 in a debug one).
    public static let defaultStackSize = 16 << 20

    /// The stack sizes a pool accepts: from 128 KiB (the scheduler's own
    /// frames and a signal handler need some) to 1 GiB.
    public static let acceptedStackSizes = (128 << 10)...(1 << 30)

    /// The stack size to use: `requested`, else `TASKLETS_STACK_SIZE`, else
    /// the default; rounded up to a multiple of 64 KiB (any page size).
    static func stackSize(_ requested: Int?, system: SystemCalls) throws(TaskletPoolError) -> Int {
        let size: Int
        if let requested {
            guard acceptedStackSizes.contains(requested) else { throw .invalidStackSize(requested) }
            size = requested
        } else if let value = system.environment(stackSizeVariable) {
            guard let parsed = parseByteCount(value), acceptedStackSizes.contains(parsed) else {
                throw .invalidEnvironment(
                    variable: stackSizeVariable, value: value,
                    expected: "a size from 128K to 1G, in bytes or with a K, M or G suffix")
            }
            size = parsed
        } else {
            size = defaultStackSize
        }
        let granule = 64 << 10
        return (size + granule - 1) / granule * granule
    }

    /// "65536", "64K", "16M", "1G" (binary units, case-insensitive, spaces
    /// ignored); nil for anything else or an overflow.
    static func parseByteCount(_ text: String) -> Int? {
        var digits = Substring(text.filter { !$0.isWhitespace })
        var unit = 1
        if let last = digits.last, let shift = ["k": 10, "m": 20, "g": 30][last.lowercased()] {
            unit = 1 << shift
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit),
            let number = Int(digits)
        else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }

    /// The size as people write it: "16 MiB", "192 KiB", "1 GiB".
    static func describeByteCount(_ bytes: Int) -> String {
        for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift) \(unit)"
        }
        return "\(bytes) bytes"
    }
}
