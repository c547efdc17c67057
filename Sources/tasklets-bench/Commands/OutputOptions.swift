import ArgumentParser
import Foundation
import TaskletsBenchKernels

/// `--format` and `--output`, and writing the report.
struct OutputOptions: ParsableArguments {
    @Option(help: "table, csv or json.") var format: String = "table"
    @Option(help: "Write the report to this file instead of standard output.") var output: String?
    @Option(help: "Also write the CSV records to this file (scripts/scaling.sh reads it).") var csvOutput: String?
    @Flag(help: ArgumentHelp("No progress line on standard error.", visibility: .hidden)) var quiet = false

    /// Writes the report of `outcome` and fails the command when any run
    /// failed. The hidden format `internal` is how a pinned child hands its
    /// records to the parent.
    func emit(_ outcome: PlanExecutor.Outcome, plan: BenchPlan, title: String) throws {
        let text: String
        if format == "internal" {
            text = String(decoding: try JSONEncoder().encode(outcome.records), as: UTF8.self)
        } else {
            switch try ArgumentLists.format(format) {
            case .table: text = TableReport.render(Summary(outcome.records), notes: outcome.notes, title: title)
            case .csv: text = CSVReport.render(outcome.records)
            case .json:
                text = JSONReport.render(outcome.records, machine: .current(), plan: plan, notes: outcome.notes)
            }
        }
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure("cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if let csvOutput {
            do {
                try CSVReport.render(outcome.records).write(toFile: csvOutput, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure("cannot write \(csvOutput): \(error.localizedDescription)")
            }
        }
        let failed = outcome.records.filter { !$0.ok }
        if !failed.isEmpty {
            if format != "table" || output != nil {
                FileHandle.standardError.write(Data("tasklets-bench: \(failed.count) run(s) failed (wrong checksum or failed backend)\n".utf8))
            }
            throw ExitCode(1)
        }
    }
}

/// An error printed as one line, `tasklets-bench: <message>`, with exit status 2.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension ParsableCommand {
    /// Runs `body`, turning harness errors into one-line messages.
    func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as BenchError {
            FileHandle.standardError.write(Data("tasklets-bench: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as CommandFailure {
            FileHandle.standardError.write(Data("tasklets-bench: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
