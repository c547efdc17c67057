import Foundation
import TaskletsBenchKernels

/// The suite's picture, drawn by gnuplot when it is installed: for each
/// kernel of the scaling part, the pool's speedup at every CPU over itself
/// on 1 worker (T1/Tn) and over plain sequential code (Ts/Tn), as grouped
/// bars, with the ideal (n) as a line.
enum SuitePlot {
    /// The package that provides gnuplot without X11 on Debian and Ubuntu.
    static let install = "apt-get install gnuplot-nox"

    /// Draws the plot into `path` and returns the line that says so, or
    /// why there is none.
    static func draw(_ summary: Summary, workers: Int, sizes: SuiteSummary.Sizes, to path: String) -> String {
        guard let gnuplot = executable("gnuplot") else {
            return "Plot: none, gnuplot is not installed (\(install); then run the suite again)."
        }
        let parameters = sizes.scaling
        var data = "kernel \"T1/T\(workers): the pool on \(workers) over itself on 1\" \"Ts/T\(workers): the pool on \(workers) over sequential code\"\n"
        for kernel in SuiteCommand.computeKernels {
            guard let pool = SuiteSummary.time(summary, kernel, parameters, .pool, workers) else { continue }
            let one = SuiteSummary.time(summary, kernel, parameters, .pool, 1)
            let sequential = SuiteSummary.time(summary, kernel, parameters, .sequential, 1)
            data += "\"\(SuiteSummary.label(kernel, parameters))\""
            data += one.map { String(format: " %.4f", $0 / pool) } ?? " NaN"
            data += sequential.map { String(format: " %.4f", $0 / pool) } ?? " NaN"
            data += "\n"
        }
        let columns = 2
        let script = """
            set terminal pngcairo size 900,560 noenhanced
            set output "\(path.replacingOccurrences(of: "\"", with: "\\\""))"
            set title "tasklets-bench suite: the pool's speedup on \(workers) workers (higher is better; ideal \(workers))"
            set style data histograms
            set style histogram clustered gap 1
            set style fill solid 0.8 border -1
            set ylabel "speedup"
            set yrange [0:\(Double(workers) * 1.3)]
            set grid ytics
            set key top left
            set datafile missing "NaN"
            plot for [i=2:\(columns + 1)] "-" using i:xtic(1) title columnheader(i), \(workers) with lines dashtype 2 lc rgb "gray" title "ideal: \(workers)"
            \(String(repeating: data + "e\n", count: columns))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuplot)
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return "Plot: none, gnuplot did not start (\(error.localizedDescription))."
        }
        input.fileHandleForWriting.write(Data(script.utf8))
        try? input.fileHandleForWriting.close()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let first = message.split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"
            return "Plot: none, gnuplot failed: \(first)"
        }
        return "Plot: \(path) (the pool's speedups at \(workers) workers, per kernel)."
    }

    /// The full path of `name` on PATH, or nil.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
