/// Parsing of the command line's list arguments (`--kernel fib,uts`,
/// `--workers 1,2,4`) and of `--format`, with one-line errors that name
/// the valid choices. Kept here, not in the executable, so tests reach it.
public enum ArgumentLists {
    /// The output formats of `run`.
    public enum Format: String, CommandLineName, Sendable {
        case table, csv, json
        public static var kind: String { "format" }
    }

    /// Comma-separated kernel names; `all` means every kernel.
    public static func kernels(_ text: String) throws(BenchError) -> [KernelName] {
        try names(text)
    }

    /// Comma-separated backend names; `all` means every backend.
    public static func backends(_ text: String) throws(BenchError) -> [BackendName] {
        try names(text)
    }

    /// Comma-separated names, each once, in the given order; `all` means
    /// every one.
    private static func names<Name: CommandLineName>(_ text: String) throws(BenchError) -> [Name] {
        if text == "all" { return Name.allCases }
        var names: [Name] = []
        for item in try items(text, kind: Name.kind, valid: Name.allCases.map(\.rawValue) + ["all"]) {
            let name = try Name.parse(item)
            if !names.contains(name) { names.append(name) }
        }
        return names
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
        try Format.parse(text)
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
