import Foundation
import TaskletsBenchKernels
import Testing

/// The bad-input table of `tasklets-bench` (docs/benchmarks.md, "Bad input"):
/// every subcommand reports bad input the same way, one line
/// `tasklets-bench: <message> (see `... --help`)` on standard error, nothing
/// on standard output, exit status 2, before any kernel runs. Runs the
/// binary that `swift build --build-tests` puts next to the test bundle.
@Suite(.enabled(if: Locations.harness != nil, "tasklets-bench is not built next to the test bundle (swift build --build-tests builds it)"))
struct CommandLineTests {
    /// Arguments, and a fragment the one-line message must contain.
    static let badInputs: [([String], String)] = [
        (["--bogus"], "unknown option '--bogus' (see `tasklets-bench --help`)"),
        (["bogus"], "unexpected argument 'bogus'"),
        (["--repetitions", "2"], #"invalid --repetitions "2": expected a whole number from 3"#),
        (["--output", "/nonexistent-tasklets/suite.txt"], #"cannot write --output "/nonexistent-tasklets/suite.txt": no directory"#),
        (["suite", "--format", "xml"], "the value 'xml' is invalid for '--format <format>'"),
        (["suite", "--plot", "/nonexistent-tasklets/suite.png"], #"cannot write --plot"#),
        (["suite", "--workers", "0"], #"invalid --workers "0""#),
        (["run", "--kernel", "fibb"], #"unknown kernel "fibb": expected one of fib, nqueens"#),
        (["run", "--backend", "rayon"], #"unknown backend "rayon": expected one of sequential, pool"#),
        (["run", "--kernel", ""], #"unknown kernel """#),
        (["run", "--workers", "1,0"], #"invalid --workers "1,0""#),
        (["run", "--repetitions", "x"], #"invalid --repetitions "x""#),
        (["run", "--warmup", "x"], #"invalid --warmup "x": expected a whole number from 0"#),
        (["run", "--fib-n", "93"], #"invalid --fib-n "93": expected a whole number from 0 to 92"#),
        (["run", "--format", "xml"], "the value 'xml' is invalid for '--format <format>'"),
        (["run", "--output", "/nonexistent-tasklets/run.json"], #"cannot write --output "/nonexistent-tasklets/run.json""#),
        (["run", "--csv-output", "/"], #"cannot write --csv-output "/": it is a directory"#),
        (["run", "--statistics-output", "/nonexistent-tasklets/s.jsonl"], #"cannot write --statistics-output"#),
        (["run", "--bogus"], "unknown option '--bogus' (see `tasklets-bench run --help`)"),
        (["run", "--kernel"], "missing value for '--kernel <kernel>'"),
        (["list", "extra"], "unexpected argument 'extra' (see `tasklets-bench list --help`)"),
        (["topology", "--placement", "bogus"], #"invalid --placement "bogus": expected compact, spread"#),
        (["topology", "--format", "csv"], #"invalid --format "csv": expected table or json for topology"#),
        (["topology", "--affinity", "3-1"], #"invalid --affinity "3-1""#),
        (["topology", "--workers", "0"], #"invalid --workers "0""#),
        (["topology", "--workers", "two"], "the value 'two' is invalid for '--workers <workers>'"),
    ]

    @Test(arguments: CommandLineTests.badInputs)
    func badInputExitsTwoWithOneLine(arguments: [String], fragment: String) throws {
        let result = try Command.run(Locations.harness!, arguments, timeout: 30)
        #expect(!result.timedOut, "ran past 30 s: the input was not rejected before the run")
        #expect(result.status == 2, "\(arguments): status \(result.status), \(result.standardError)")
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(arguments): \(result.standardError)")
        #expect(result.standardError.hasPrefix("tasklets-bench: "))
        #expect(result.standardError.contains(fragment), "\(arguments): \(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test func versionHelpAndCompletionsExitZero() throws {
        let version = try Command.run(Locations.harness!, ["--version"])
        #expect(version.status == 0)
        #expect(version.standardOutput.hasPrefix("tasklets-bench "))
        let help = try Command.run(Locations.harness!, ["run", "--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("(default: all)"))
        #expect(help.standardOutput.contains("(FIB_N; spec default: 30)"))
        let suiteHelp = try Command.run(Locations.harness!, ["suite", "--help"])
        #expect(suiteHelp.standardOutput.contains("(default: 5)"))
        for shell in ["bash", "zsh", "fish"] {
            let script = try Command.run(Locations.harness!, ["--generate-completion-script", shell])
            #expect(script.status == 0)
            for name in KernelName.allCases.map(\.rawValue) + BackendName.allCases.map(\.rawValue) {
                #expect(script.standardOutput.contains(name), "\(shell) completion lacks \(name)")
            }
        }
    }

    @Test func statisticsCanGoToAFile() throws {
        let file = NSTemporaryDirectory() + "tasklets-bench-statistics-" + UUID().uuidString + ".jsonl"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = try Command.run(Locations.harness!, [
            "run", "--kernel", "fib", "--backend", "pool", "--workers", "1", "--fib-n", "15",
            "--repetitions", "3", "--warmup", "0", "--quiet", "--format", "csv", "--statistics-output", file,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(!result.standardError.contains("pool-statistics"))
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains(#""record":"pool-statistics","kernel":"fib","workers":1"#) == true)
    }

    @Test func topologyReadsAnotherMachinesCopy() throws {
        let sysfs = try FourNodeSysfs()
        let result = try Command.run(Locations.harness!, ["topology", "--sysfs-root", sysfs.root, "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect((json["cpus"] as? [Int]) == Array(0..<16))
        #expect((json["nodes"] as? [Any])?.count == 4)
        #expect((json["workers"] as? [Any])?.count == 16)
        let narrowed = try Command.run(Locations.harness!, ["topology", "--sysfs-root", sysfs.root, "--affinity", "4-5,12-13"])
        #expect(narrowed.status == 0)
        #expect(narrowed.standardOutput.contains("node 2 cpus: 4-5,12-13"), "\(narrowed.standardOutput)")
        #expect(narrowed.standardOutput.contains("default workers: 4"), "\(narrowed.standardOutput)")
        #expect(!narrowed.standardOutput.contains("node 0"), "\(narrowed.standardOutput)")
    }
}
