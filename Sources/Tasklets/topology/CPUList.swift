/// The kernel's CPU list format ("0-3,8,10-11"), as in sysfs `cpulist`,
/// `online` and `shared_cpu_list` files, `taskset -c` and `cpus:` placements.
///
/// The parser is strict, because a misread list would pin workers to the
/// wrong CPUs: anything but digits, commas, dashes and surrounding
/// whitespace is rejected, as are reversed ranges and numbers above
/// `maximumCPU` (so "0-4294967295" fails at once instead of allocating).
public enum CPUList {
    /// The largest CPU number accepted (Linux's NR_CPUS is at most 8192).
    public static let maximumCPU = 65_535

    /// Parses a CPU list into ascending CPU numbers without duplicates.
    /// Empty (or all-whitespace) text is the empty list, as sysfs writes it.
    public static func parse(_ text: String) throws(TopologyError) -> [Int] {
        let bytes = Array(text.utf8)
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        if start == end { return [] }
        var members = [Bool](repeating: false, count: 0)
        var index = start
        while true {
            let low = try number(bytes, &index, end, text)
            var high = low
            if index < end, bytes[index] == UInt8(ascii: "-") {
                index += 1
                high = try number(bytes, &index, end, text)
                guard high >= low else { throw .invalidCPUList(text, reason: "range \(low)-\(high) is reversed") }
            }
            if members.count <= high { members.append(contentsOf: repeatElement(false, count: high + 1 - members.count)) }
            for cpu in low...high { members[cpu] = true }
            if index == end { break }
            guard bytes[index] == UInt8(ascii: ",") else {
                throw .invalidCPUList(text, reason: "unexpected character at offset \(index)")
            }
            index += 1
        }
        return members.indices.filter { members[$0] }
    }

    /// Formats ascending or unordered CPU numbers as a compact list ("0-3,8").
    public static func format(_ cpus: [Int]) -> String {
        let sorted = Set(cpus).sorted()
        var parts: [String] = []
        var index = 0
        while index < sorted.count {
            var last = index
            while last + 1 < sorted.count, sorted[last + 1] == sorted[last] + 1 { last += 1 }
            parts.append(last == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[last])")
            index = last + 1
        }
        return parts.joined(separator: ",")
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    private static func number(_ bytes: [UInt8], _ index: inout Int, _ end: Int, _ text: String) throws(TopologyError) -> Int {
        var value = 0
        let first = index
        while index < end, (0x30...0x39).contains(bytes[index]) {
            value = value * 10 + Int(bytes[index] - 0x30)
            guard value <= maximumCPU else {
                throw .invalidCPUList(text, reason: "CPU number above \(maximumCPU)")
            }
            index += 1
        }
        guard index > first else { throw .invalidCPUList(text, reason: "expected a number at offset \(first)") }
        return value
    }
}
