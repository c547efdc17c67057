import ArgumentParser
import Foundation
import TaskletsBenchKernels

/// `--format`, `--output` and `--csv-output`, checked before anything runs,
/// and writing the report.
struct OutputOptions: ParsableArguments {
    @Option(help: "Report format: table, csv or json.") var format: ReportFormat = .table
    @Option(help: "Write the report to this file instead of standard output.", completion: .file())
    var output: String?
    @Option(help: "Also write the CSV records to this file (scripts/scaling.sh reads it).", completion: .file())
    var csvOutput: String?
    /// How a pinned child hands its records to the parent (`ChildRunner`).
    @Option(help: .hidden) var recordsOutput: String?
    @Flag(help: ArgumentHelp("No progress line on standard error.", visibility: .hidden)) var quiet = false

    /// Throws unless every file this command will write can be written.
    func checkFiles() throws(BenchError) {
        for case let (option, path?) in [("--output", output), ("--csv-output", csvOutput), ("--records-output", recordsOutput)] {
            try OutputPath.check(path, option: option)
        }
    }

    /// Writes the report of `outcome` (the table ends with `epilogue`) and
    /// fails the command when any run failed.
    func emit(_ outcome: PlanExecutor.Outcome, plan: BenchPlan, title: String, epilogue: String = "") throws {
        if let recordsOutput {
            try write(RunRecord.interchange(outcome.records), to: recordsOutput, option: "--records-output")
            if outcome.records.allSatisfy(\.ok) { return }
            throw ExitCode(1)
        }
        let text: String
        switch format {
        case .table:
            text = TableReport.render(Summary(outcome.records), notes: outcome.notes, title: title) + epilogue
        case .csv: text = CSVReport.render(outcome.records)
        case .json: text = JSONReport.render(outcome.records, machine: .current(), plan: plan, notes: outcome.notes)
        }
        if let output {
            try write(text, to: output, option: "--output")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        if let csvOutput { try write(CSVReport.render(outcome.records), to: csvOutput, option: "--csv-output") }
        let failed = outcome.records.filter { !$0.ok }
        if !failed.isEmpty {
            if format != .table || output != nil {
                FileHandle.standardError.write(Data("tasklets-bench: \(failed.count) run(s) failed (wrong checksum or failed backend)\n".utf8))
            }
            throw ExitCode(1)
        }
    }

    private func write(_ text: String, to path: String, option: String) throws(BenchError) {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw .unwritable(option: option, path: path, reason: error.localizedDescription)
        }
    }
}
