/// Errors the pool throws for misuse or an unusable system.
public enum TaskletPoolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The pool was shut down; the submission did not run.
    case shutDown
    /// A worker count outside `1...TaskletPool.maximumWorkers`.
    case invalidWorkerCount(Int)
    /// An environment variable (such as `TASKLETS_WORKERS`) holds a value
    /// the pool cannot use.
    case invalidEnvironment(variable: String, value: String, expected: String)
    /// A grain size below 1 for a parallel loop.
    case invalidGrain(Int)
    /// A chunk size below 1 for `withParallelChunks`.
    case invalidChunkSize(Int)
    /// A worker stack size outside `TaskletPool.acceptedStackSizes`.
    case invalidStackSize(Int)
    /// The operating system refused to start a worker thread.
    case threadCreationFailed(SystemError)
    /// The affinity mask could not be read.
    case affinityUnavailable(SystemError)
    /// The placement cannot be honoured (a CPU outside the affinity mask,
    /// more pinned workers than CPUs, a malformed `TASKLETS_PLACEMENT`).
    case invalidPlacement(TopologyError)
    /// `TaskletPool.Supervision` settings out of range.
    case invalidSupervision(String)
    /// `TaskletPool.dumpOnSignal`: the signal cannot be caught, or setting
    /// up its handler failed.
    case signalUnavailable(signal: Int32, SystemError)
    /// `installAsGlobalExecutor`: the Swift runtime has no global-executor
    /// hooks to install.
    case globalExecutorUnavailable
    /// `installAsGlobalExecutor`: another library already installed a
    /// global-executor hook.
    case globalExecutorHookTaken
    /// `installAsGlobalExecutor` was already called in this process.
    case globalExecutorAlreadyInstalled

    /// A one-line message that names the bad value (or the failed call) and
    /// what was expected, fit to show a user as it is.
    public var description: String {
        switch self {
        case .shutDown:
            return "the tasklet pool is shut down"
        case .invalidWorkerCount(let count):
            return "invalid worker count \(count): expected 1...\(TaskletPool.maximumWorkers)"
        case .invalidEnvironment(let variable, let value, let expected):
            return "invalid \(variable)=\"\(value)\": expected \(expected)"
        case .invalidGrain(let grain):
            return "invalid grain \(grain): expected 1 or more"
        case .invalidChunkSize(let size):
            return "invalid chunk size \(size): expected 1 or more"
        case .invalidStackSize(let size):
            return "invalid stack size \(size) bytes: expected \(TaskletPool.acceptedStackSizes.lowerBound) (128 KiB) to \(TaskletPool.acceptedStackSizes.upperBound) (1 GiB)"
        case .threadCreationFailed(let error):
            return "could not start a worker thread: \(error)"
        case .affinityUnavailable(let error):
            return "could not read the CPU affinity mask: \(error)"
        case .invalidPlacement(let error):
            return "invalid worker placement: \(error)"
        case .invalidSupervision(let problem):
            return "invalid supervision setting: \(problem)"
        case .signalUnavailable(let signal, let error):
            return "cannot dump snapshots on signal \(signal): \(error)"
        case .globalExecutorUnavailable:
            return "cannot install the pool as Swift's global executor: the runtime does not export swift_task_enqueueGlobal_hook"
        case .globalExecutorHookTaken:
            return "cannot install the pool as Swift's global executor: another global-executor hook is already installed"
        case .globalExecutorAlreadyInstalled:
            return "a pool is already installed as Swift's global executor (once per process)"
        }
    }
}
