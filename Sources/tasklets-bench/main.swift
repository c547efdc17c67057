import Foundation
import Tasklets

// Pinning comes before anything else: Dispatch and the Swift global executor
// size their thread pools from the affinity mask when they first start, and
// threads inherit the mask of the thread that creates them.
Pinning.applyFromEnvironment()
// `kill -USR1 <pid>` prints what every pool's threads are doing (a long
// run that seems stuck can be looked at without stopping it).
do {
    try TaskletPool.dumpOnSignal(SIGUSR1)
} catch {
    FileHandle.standardError.write(Data("tasklets-bench: \(error)\n".utf8))
}
CommandLineEntry.main(Array(CommandLine.arguments.dropFirst()))
