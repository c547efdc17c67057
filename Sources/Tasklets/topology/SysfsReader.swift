/// Reads the small kernel files of topology discovery under one root,
/// through `SystemCalls`, and collects a warning for every file that exists
/// but holds garbage. A missing file returns nil without a warning: the
/// caller knows which fallback applies and states it.
struct SysfsReader {
    let root: String
    let system: SystemCalls
    private(set) var warnings: [String] = []

    init(root: String, system: SystemCalls) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.system = system
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    mutating func warn(_ message: String) { warnings.append(message) }

    /// Whether `relative` can be listed as a directory.
    func isDirectory(_ relative: String) -> Bool {
        if case .success = system.listDirectory(path(relative)) { return true }
        return false
    }

    /// The entries of a directory, or nil if it cannot be listed.
    func entries(_ relative: String) -> [String]? {
        try? system.listDirectory(path(relative)).get()
    }

    /// The numbers N of the entries named `prefix` + N (such as cpu3, node1).
    func numberedEntries(_ relative: String, prefix: String) -> [Int] {
        (entries(relative) ?? []).compactMap { name in
            guard name.hasPrefix(prefix) else { return nil }
            let digits = name.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy(\.isASCIIDigit) else { return nil }
            return Int(digits)
        }.sorted()
    }

    /// The text of a file, or nil if it is missing. Unreadable or non-UTF-8
    /// content counts as garbage and warns.
    mutating func text(_ relative: String) -> String? {
        switch system.readFile(path(relative)) {
        case .success(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self), !text.contains("\0") else {
                warn("ignored \(path(relative)): not text")
                return nil
            }
            return text
        case .failure(let error):
            if error.errno != 2 /* ENOENT */ && error.errno != 20 /* ENOTDIR */ {
                warn("ignored \(path(relative)): \(error)")
            }
            return nil
        }
    }

    /// A CPU (or node) list file, or nil if missing or garbage (warned).
    mutating func cpuList(_ relative: String) -> [Int]? {
        guard let text = text(relative) else { return nil }
        do {
            return try CPUList.parse(text)
        } catch {
            warn("ignored \(path(relative)): \(error)")
            return nil
        }
    }

    /// A file holding one integer in `range`, or nil if missing or garbage.
    mutating func integer(_ relative: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = text(relative) else { return nil }
        let trimmed = text.trimmingWhitespace
        guard trimmed.utf8.count <= 20, let value = Int(trimmed), range.contains(value) else {
            warn("ignored \(path(relative)): expected an integer in \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    /// A file of whitespace-separated integers in `range` (a node's
    /// `distance`), or nil if missing or garbage.
    mutating func integers(_ relative: String, in range: ClosedRange<Int>) -> [Int]? {
        guard let text = text(relative) else { return nil }
        var values: [Int] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            guard word.utf8.count <= 20, let value = Int(word), range.contains(value) else {
                warn("ignored \(path(relative)): expected integers in \(range.lowerBound)...\(range.upperBound)")
                return nil
            }
            values.append(value)
        }
        return values
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
