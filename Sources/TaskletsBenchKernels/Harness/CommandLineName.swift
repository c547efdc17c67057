/// A closed set of names the command line accepts: kernels, backends,
/// output formats. One parser for all of them, so that each fails with the
/// same one-line message naming the valid choices.
public protocol CommandLineName: CaseIterable, RawRepresentable, Equatable
where RawValue == String, AllCases == [Self] {
    /// What one name is called in an error message: "kernel", "backend".
    static var kind: String { get }
}

extension CommandLineName {
    /// Parses one name, or throws an error naming the valid ones.
    public static func parse(_ text: String) throws(BenchError) -> Self {
        guard let value = Self(rawValue: text) else {
            throw .unknownName(kind: kind, name: text, valid: allCases.map(\.rawValue))
        }
        return value
    }
}
