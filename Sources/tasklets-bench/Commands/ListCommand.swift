import ArgumentParser
import TaskletsBenchKernels

/// `tasklets-bench list`: the kernels, their parameters, and the backends.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Name the kernels and backends.")

    func run() {
        print("Kernels:")
        for kernel in KernelName.allCases {
            let parameters = KernelParameter.allCases.filter { $0.kernel == kernel }
                .map { "--\($0.optionName) (\($0.environmentVariable)=\($0.value(in: .defaults)))" }
            print("  \(kernel.rawValue.padding(14))\(kernel.summary)")
            print("  \("".padding(14))parameters: \(parameters.joined(separator: ", "))")
        }
        print("Backends:")
        let width = max(14, (BackendName.allCases.map(\.rawValue.count).max() ?? 0) + 2)
        for backend in BackendName.allCases {
            let supported = KernelName.allCases.filter { backend.supports($0) }.map(\.rawValue)
            let missing = KernelName.allCases.filter { !backend.supports($0) }.map(\.rawValue)
            // Whichever list is shorter: what it runs, or what it does not.
            let suffix = missing.isEmpty ? ""
                : supported.count < missing.count ? " (only: \(supported.joined(separator: ", ")))"
                : " (not: \(missing.joined(separator: ", ")))"
            print("  \(backend.rawValue.padding(width))\(backend.summary)\(suffix)")
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}
