/// Parsing of the command line's list arguments (`--kernel fib,uts`,
/// `--workers 1,2,4`) and of `--format`, with one-line errors that name
/// the valid choices. Kept here, not in the executable, so tests reach it.
public enum ArgumentLists {
    /// The output formats of `run`.
    public enum Format: String, CaseIterable, Sendable {
        case table, csv, json
    }

    /// Comma-separated kernel names; `all` means every kernel.
    public static func kernels(_ text: String) throws(BenchError) -> [KernelName] {
        if text == "all" { return KernelName.allCases }
        var kernels: [KernelName] = []
        for name in try items(text, kind: "kernel", valid: KernelName.allCases.map(\.rawValue) + ["all"]) {
            let kernel = try KernelName.parse(name)
            if !kernels.contains(kernel) { kernels.append(kernel) }
        }
        return kernels
    }

    /// Comma-separated backend names; `all` means every backend.
    public static func backends(_ text: String) throws(BenchError) -> [BackendName] {
        if text == "all" { return BackendName.allCases }
        var backends: [BackendName] = []
        for name in try items(text, kind: "backend", valid: BackendName.allCases.map(\.rawValue) + ["all"]) {
            let backend = try BackendName.parse(name)
            if !backends.contains(backend) { backends.append(backend) }
        }
        return backends
    }

    /// Comma-separated worker counts, each from 1 to 4096, in the given order.
    public static func workers(_ text: String) throws(BenchError) -> [Int] {
        let expected = "a comma-separated list of whole numbers from 1 to 4096, such as 1,2,4"
        var counts: [Int] = []
        for item in try items(text, kind: "--workers", valid: [expected]) {
            guard let count = Int(item), (1...4096).contains(count) else {
                throw .invalidValue(source: "--workers", value: text, expected: expected)
            }
            if !counts.contains(count) { counts.append(count) }
        }
        return counts
    }

    /// A whole number in `range`, for `--repetitions` and `--warmup`.
    public static func count(_ text: String, option: String, range: ClosedRange<Int>) throws(BenchError) -> Int {
        guard let value = Int(text.trimmingWhitespace()), range.contains(value) else {
            throw .invalidValue(
                source: option, value: text,
                expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// `table`, `csv` or `json`.
    public static func format(_ text: String) throws(BenchError) -> Format {
        guard let format = Format(rawValue: text) else {
            throw .unknownName(kind: "format", name: text, valid: Format.allCases.map(\.rawValue))
        }
        return format
    }

    private static func items(_ text: String, kind: String, valid: [String]) throws(BenchError) -> [String] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else {
            throw .unknownName(kind: kind, name: text, valid: valid)
        }
        return items
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
