import Foundation
import TaskletsBenchKernels

/// How a pinned child process hands its records to the parent: JSON in the
/// shape of `RunRecord`'s synthesized `Codable` keys, written with the
/// harness's one JSON writer (`JSONValue`, as every report) and read back
/// with `JSONDecoder`.
extension RunRecord {
    static func interchange(_ records: [RunRecord]) -> String {
        JSONValue.array(records.map(\.interchange)).renderLine() + "\n"
    }

    static func decodeInterchange(_ data: Data) throws -> [RunRecord] {
        try JSONDecoder().decode([RunRecord].self, from: data)
    }

    private var interchange: JSONValue {
        func pair(_ name: String, _ value: JSONValue) -> JSONValue { .object([("name", .string(name)), ("value", value)]) }
        var members: [(String, JSONValue)] = [
            ("kernel", .string(kernel.rawValue)),
            ("backend", .string(backend.rawValue)),
            ("workers", .int(workers)),
            ("repetition", .int(repetition)),
            ("params", .array(params.map { pair($0.name, .string($0.value)) })),
            ("ms", .number(ms)),
            ("cpuMs", .number(cpuMs)),
            ("checksum", .unsigned(checksum)),
            ("ok", .bool(ok)),
            ("metrics", .array(metrics.map { pair($0.name, .number($0.value)) })),
        ]
        if let shortMs { members.append(("shortMs", .number(shortMs))) }
        if let expected { members.append(("expected", .unsigned(expected))) }
        if let pinnedCPUs { members.append(("pinnedCPUs", .array(pinnedCPUs.map(JSONValue.int)))) }
        if let error { members.append(("error", .string(error))) }
        return .object(members)
    }
}
