import ArgumentParser

/// The `tasklets-bench` command: with no arguments, the default suite.
struct TaskletsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasklets-bench",
        abstract: "Benchmarks the tasklet pool against sequential code, Dispatch, TaskGroup and a naive pool.",
        discussion: """
            With no subcommand: the default suite (under a minute; see `tasklets-bench suite --help`). \
            Kernels and checksums follow docs/kernels.md. Kernel parameters come from the \
            options of `run` or from the environment variables of the same name (FIB_N, NQ_N, \
            UTS_SEED, ...); an option wins. Exit status: 0 when every checksum matched, 1 when a \
            run failed (a wrong checksum, a backend that failed), 2 for bad input (an unknown \
            option, kernel or backend, a value out of range, a file that cannot be written), \
            always with one line `tasklets-bench: <what was wrong>` on standard error. While it \
            runs, `kill -USR1 <pid>` writes a snapshot of every pool's threads to standard error.
            """,
        version: HarnessVersion.description,
        subcommands: [SuiteCommand.self, RunCommand.self, ListCommand.self, TopologyCommand.self],
        defaultSubcommand: SuiteCommand.self)
}

/// What `tasklets-bench --version` prints.
enum HarnessVersion {
    /// The harness's own version; it changes with its output formats.
    static let number = "0.4.0"
    static let description = "tasklets-bench \(number) (built with Swift \(MachineInfo.compilerVersion))"
}
