import TaskletsBenchKernels

/// Decides which records are right.
///
/// Where the spec gives a checksum, a record must match it. Where it gives
/// none (parameters outside its vectors), every backend must agree with the
/// sequential one, or else with the first run of the kernel.
enum ChecksumCheck {
    static func apply(to records: [RunRecord]) -> [RunRecord] {
        var reference: [KernelName: UInt64] = [:]
        for record in records where record.error == nil && record.expected == nil {
            if record.backend == .sequential || reference[record.kernel] == nil {
                reference[record.kernel] = record.checksum
            }
        }
        return records.map { record in
            var record = record
            guard record.error == nil else {
                record.ok = false
                return record
            }
            let expected = record.expected ?? reference[record.kernel]
            record.ok = expected.map { $0 == record.checksum } ?? true
            return record
        }
    }
}
