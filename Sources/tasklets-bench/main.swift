import Tasklets
import Foundation

@inline(never) func fibSeq(_ n: Int) -> Int { n < 2 ? n : fibSeq(n - 1) &+ fibSeq(n - 2) }
func fibJoin(_ n: Int) -> Int {
    if n < 2 { return n }
    let (a, b) = join({ fibJoin(n - 1) }, { fibJoin(n - 2) })
    return a &+ b
}
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }
func main() throws {
    let n = Int(CommandLine.arguments.dropFirst().first ?? "30")!
    for w in [1, 2] {
        let pool = try TaskletPool(workers: w)
        var ts: [Double] = [], tp: [Double] = []
        for _ in 0..<5 {
            var t0 = now(); let r1 = fibSeq(n); ts.append(now() - t0)
            t0 = now(); let r2 = try pool.run { fibJoin(n) }; if ts.count == 1 { print("on worker:", try pool.run { return TaskletPool.currentWorkerIndex }) }; tp.append(now() - t0)
            precondition(r1 == r2)
        }
        ts.sort(); tp.sort()
        print("workers \(w): seq \(ts[2]) ms pool \(tp[2]) ms ratio \(tp[2]/ts[2])", pool.statistics().total)
        pool.shutdown()
    }
}
if CommandLine.arguments.count > 2 {
    let pool = try TaskletPool(workers: 1)
    let depth = Int(CommandLine.arguments[1])!
    let reps = Int(CommandLine.arguments[2])!
    var best = 1e9, bestS = 1e9
    for _ in 0..<5 {
        var t0 = now(); var s = 0
        for i in 0..<reps { s &+= fibSeq(depth - (i & 1)) }
        bestS = min(bestS, now() - t0)
        t0 = now()
        let r = try pool.run { var x = 0; for i in 0..<reps { x &+= fibJoin(depth - (i & 1)) }; return x }
        best = min(best, now() - t0)
        precondition(r == s)
    }
    print("depth \(depth): ratio \(best / bestS)")
} else { try main() }
