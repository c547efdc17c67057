/// `TASKLETS_PLACEMENT` and the textual form of a placement:
/// "compact", "spread", "cores" (or "physical-cores"), "unpinned", and
/// "cpus:LIST" with a kernel CPU list ("cpus:0,2,4-6"). Case and
/// surrounding whitespace are ignored; anything else is an error, never a
/// silent default.
extension Placement: CustomStringConvertible {
    /// The environment variable read by `fromEnvironment()`.
    public static let environmentVariable = "TASKLETS_PLACEMENT"

    /// Parses the textual form.
    public init(parsing text: String) throws(TopologyError) {
        let trimmed = text.trimmingWhitespace
        let lowered = trimmed.lowercased()
        switch lowered {
        case "compact": self = .compact
        case "spread": self = .spread
        case "cores", "physical-cores", "physicalcores": self = .physicalCores
        case "unpinned", "none": self = .unpinned
        default:
            guard lowered.hasPrefix("cpus:") else { throw .invalidPlacement(text) }
            let list = String(trimmed.dropFirst(5))
            let cpus: [Int]
            do {
                cpus = try CPUList.parse(list)
            } catch {
                throw .invalidPlacement(text)
            }
            guard !cpus.isEmpty else { throw .invalidPlacement(text) }
            self = .cpus(cpus)
        }
    }

    /// The placement `TASKLETS_PLACEMENT` asks for, or nil when it is unset.
    public static func fromEnvironment() throws(TopologyError) -> Placement? {
        try fromEnvironment(system: .live)
    }

    static func fromEnvironment(system: SystemCalls) throws(TopologyError) -> Placement? {
        guard let value = system.environment(environmentVariable) else { return nil }
        return try Placement(parsing: value)
    }

    /// The textual form, as `init(parsing:)` reads it.
    public var description: String {
        switch self {
        case .compact: return "compact"
        case .spread: return "spread"
        case .physicalCores: return "cores"
        case .cpus(let cpus): return "cpus:\(CPUList.format(cpus))"
        case .unpinned: return "unpinned"
        }
    }
}
