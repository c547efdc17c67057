import TaskletsBenchKernels

/// The JSON output: a header describing the machine and the run, then one
/// record per (kernel, backend, workers, repetition).
enum JSONReport {
    static func render(_ records: [RunRecord], machine: MachineInfo, plan: BenchPlan, notes: [String]) -> String {
        let header: JSONValue = .object([
            ("machine", machine.json),
            ("repetitions", .int(plan.repetitions)),
            ("warmup", .int(plan.warmup)),
            ("notes", .array(notes.map(JSONValue.string))),
        ])
        let document: JSONValue = .object([
            ("header", header),
            ("records", .array(records.map(json))),
            ("ok", .bool(records.allSatisfy(\.ok))),
        ])
        return document.render() + "\n"
    }

    private static func json(_ record: RunRecord) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("kernel", .string(record.kernel.rawValue)),
            ("backend", .string(record.backend.rawValue)),
            ("workers", .int(record.workers)),
            ("repetition", .int(record.repetition)),
            ("params", .object(record.params.map { ($0.name, parameterValue($0.value)) })),
            ("ms", .number(record.ms)),
            ("cpu_ms", .number(record.cpuMs)),
        ]
        if record.kernel == .skew { members.append(("short_ms", record.shortMs.map(JSONValue.number) ?? .null)) }
        members += [
            ("checksum", .unsigned(record.checksum)),
            ("expected", record.expected.map(JSONValue.unsigned) ?? .null),
            ("ok", .bool(record.ok)),
        ]
        if !record.metrics.isEmpty {
            members.append(("metrics", .object(record.metrics.map { ($0.name, .number($0.value)) })))
        }
        if let cpus = record.pinnedCPUs { members.append(("pinned_cpus", .array(cpus.map(JSONValue.int)))) }
        if let error = record.error { members.append(("error", .string(error))) }
        return .object(members)
    }

    /// Parameters are numbers in JSON: integers exactly, `UTS_Q` as a double.
    private static func parameterValue(_ text: String) -> JSONValue {
        if UInt64(text) != nil { return .integer(text) }
        if let value = Double(text) { return .number(value) }
        return .string(text)
    }
}
