/// A small JSON writer that keeps keys in the order given and writes
/// 64-bit integers exactly (checksums exceed 2^53).
indirect enum JSONValue {
    case string(String)
    case integer(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func unsigned(_ value: UInt64) -> JSONValue { .integer(String(value)) }
    static func int(_ value: Int) -> JSONValue { .integer(String(value)) }

    func render(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .string(let text): return JSONValue.quote(text)
        case .integer(let digits): return digits
        case .number(let value): return value.isFinite ? String(value) : "null"
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            guard !items.isEmpty else { return "[]" }
            return "[\n" + items.map { inner + $0.render(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            return "{\n" + members.map { inner + JSONValue.quote($0.0) + ": " + $0.1.render(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    /// The same value on one line, without spaces.
    func renderLine() -> String {
        switch self {
        case .array(let items): return "[" + items.map { $0.renderLine() }.joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { JSONValue.quote($0.0) + ":" + $0.1.renderLine() }.joined(separator: ",") + "}"
        default: return render()
        }
    }

    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
