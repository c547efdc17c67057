// Pinning comes before anything else: Dispatch and the Swift global executor
// size their thread pools from the affinity mask when they first start, and
// threads inherit the mask of the thread that creates them.
Pinning.applyFromEnvironment()
TaskletsBench.main()
