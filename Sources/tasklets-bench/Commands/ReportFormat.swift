import ArgumentParser
import TaskletsBenchKernels

/// `--format`, one type for every subcommand: `table` (for people), `csv`
/// and `json`. `topology` prints `table` and `json`; `text`, its old name
/// for the table, is still accepted there and everywhere.
typealias ReportFormat = ArgumentLists.Format

extension ArgumentLists.Format: ExpressibleByArgument {
    public init?(argument: String) {
        if argument == "text" {
            self = .table
        } else if let format = ArgumentLists.Format(rawValue: argument) {
            self = format
        } else {
            return nil
        }
    }
}
