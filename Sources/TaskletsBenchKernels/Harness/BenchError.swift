/// Errors of the benchmark harness: bad input, and runs that went wrong.
///
/// Each description is one line that names what was wrong and what would
/// have been accepted, so the command line can print it as it is.
public enum BenchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A name that is not one of `valid` (a kernel, a backend, a format).
    case unknownName(kind: String, name: String, valid: [String])
    /// A value that does not parse or is out of range. `source` says where
    /// it came from: `--fib-n` or `FIB_N`.
    case invalidValue(source: String, value: String, expected: String)
    /// A file option (`--output`, `--csv-output`, ...) naming a file that
    /// cannot be written; checked before anything runs.
    case unwritable(option: String, path: String, reason: String)
    /// A request that parses but cannot be met (`topology --workers 64
    /// --placement cores` on 16 cores).
    case cannotPlan(reason: String)
    /// A backend could not run (a pool that did not start, a child that died).
    case backendFailed(backend: String, reason: String)

    public var description: String {
        switch self {
        case .unknownName(let kind, let name, let valid):
            return "unknown \(kind) \"\(name)\": expected one of \(valid.joined(separator: ", "))"
        case .invalidValue(let source, let value, let expected):
            return "invalid \(source) \"\(value)\": expected \(expected)"
        case .unwritable(let option, let path, let reason):
            return "cannot write \(option) \"\(path)\": \(reason)"
        case .cannotPlan(let reason):
            return "cannot plan the pool: \(reason)"
        case .backendFailed(let backend, let reason):
            return "backend \(backend) failed: \(reason)"
        }
    }
}
