import ArgumentParser
import Foundation
import TaskletsBenchKernels

/// Parses and runs a command, and reports bad input one way for every
/// subcommand: one line `tasklets-bench: <message> (see ... --help)` on
/// standard error and exit status 2, whether ArgumentParser found the
/// problem (an unknown option, a value of the wrong type) or the harness
/// did (an unknown kernel, a count out of range, a file that cannot be
/// written). Help, `--version` and completion scripts exit 0; a run that
/// failed exits 1.
enum CommandLineEntry {
    /// The exit status of bad input (docs/benchmarks.md, `--help`).
    static let usageStatus: Int32 = 2

    static func main(_ arguments: [String]) -> Never {
        do {
            var command = try TaskletsBench.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch let status as ExitCode {
            exit(status.rawValue)
        } catch {
            // Help, --version, --generate-completion-script: print as usual.
            if TaskletsBench.exitCode(for: error) == .success { TaskletsBench.exit(withError: error) }
            let line = "tasklets-bench: \(message(for: error)) (see `\(helpCommand(for: arguments))`)\n"
            FileHandle.standardError.write(Data(line.utf8))
            exit(usageStatus)
        }
    }

    /// The error as one line, without ArgumentParser's "Error: " and usage.
    static func message(for error: any Error) -> String {
        switch error {
        case let error as BenchError: return error.description
        default:
            let text = TaskletsBench.message(for: error)
            let first = text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? text
            var line = first.hasPrefix("Error: ") ? String(first.dropFirst("Error: ".count)) : first
            // The harness's own style: lower case, no full stop.
            if let initial = line.first, initial.isUppercase { line = initial.lowercased() + line.dropFirst() }
            if line.hasSuffix(".") { line.removeLast() }
            return line
        }
    }

    /// `tasklets-bench run --help` when the user named `run`, else
    /// `tasklets-bench --help` (no subcommand: the suite, whose options the
    /// top-level help leads to).
    static func helpCommand(for arguments: [String]) -> String {
        let names = TaskletsBench.configuration.subcommands.map { $0.configuration.commandName ?? "" }
        if let first = arguments.first, names.contains(first) { return "tasklets-bench \(first) --help" }
        return "tasklets-bench --help"
    }
}
