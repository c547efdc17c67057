/// The order in which one worker tries the others' deques when it steals.
///
/// This is the seam where topology enters the scheduler: `tiers` are tried
/// in order (for example the worker's cache group, then its node, then
/// farther nodes), and inside a tier the start is random and the walk wraps
/// around, which keeps the randomized bounds of work stealing. The default is
/// a single tier holding every other worker.
struct VictimOrder: Sendable {
    let tiers: [[Int]]

    /// Every other worker, in one tier.
    static func uniform(worker: Int, workerCount: Int) -> VictimOrder {
        VictimOrder(tiers: [(0..<workerCount).filter { $0 != worker }])
    }
}
