import ArgumentParser

/// The `tasklets-bench` command: with no arguments, the default suite.
struct TaskletsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasklets-bench",
        abstract: "Benchmarks the tasklet pool against sequential code, Dispatch, TaskGroup and a naive pool.",
        discussion: """
            Kernels and checksums follow docs/kernels.md. Kernel parameters come from the \
            options of `run` or from the environment variables of the same name (FIB_N, NQ_N, \
            UTS_SEED, ...); an option wins. A wrong checksum exits with status 1. While it \
            runs, `kill -USR1 <pid>` writes a snapshot of every pool's threads to standard error.
            """,
        subcommands: [SuiteCommand.self, RunCommand.self, ListCommand.self, TopologyCommand.self],
        defaultSubcommand: SuiteCommand.self)
}
