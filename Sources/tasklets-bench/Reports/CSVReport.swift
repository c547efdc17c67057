import TaskletsBenchKernels

/// One line per run, for spreadsheets and `scripts/scaling.sh`.
enum CSVReport {
    static let header = "kernel,backend,workers,repetition,params,ms,cpu_ms,short_ms,checksum,expected,ok,pinned_cpus,metrics,error"

    static func render(_ records: [RunRecord]) -> String {
        var text = header + "\n"
        for record in records {
            let fields: [String] = [
                record.kernel.rawValue, record.backend.rawValue, String(record.workers), String(record.repetition),
                record.params.map { "\($0.name)=\($0.value)" }.joined(separator: " "),
                String(record.ms), String(record.cpuMs), record.shortMs.map { String($0) } ?? "",
                String(record.checksum), record.expected.map { String($0) } ?? "", record.ok ? "true" : "false",
                record.pinnedCPUs.map { $0.map(String.init).joined(separator: " ") } ?? "",
                record.metrics.map { "\($0.name)=\($0.value)" }.joined(separator: " "),
                record.error ?? "",
            ]
            text += fields.map(quoted).joined(separator: ",") + "\n"
        }
        return text
    }

    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
