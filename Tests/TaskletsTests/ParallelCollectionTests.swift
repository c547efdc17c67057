import Foundation
import Synchronization
import Testing
@testable import Tasklets

/// The `parallel` collection methods against their sequential counterparts,
/// on random inputs of the sizes where splitting goes wrong: empty, one
/// element, around the grain, and large.
@Suite struct ParallelCollectionTests {
    static let grain = 64
    static let sizes = [0, 1, grain - 1, grain, grain + 1, 1_000_000]
    static let grains: [Int?] = [nil, grain]

    static func randomInts(_ count: Int, seed: UInt64) -> [Int] {
        var random = SplitMix(seed: seed)
        return (0..<count).map { _ in Int.random(in: -1_000...1_000, using: &random) }
    }

    /// Runs `body` on a 3-worker pool, within a bound.
    static func onPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let pool = try TaskletPool(workers: 3)
        defer { pool.shutdown() }
        return try bounded { try pool.run(body) }
    }

    @Test(arguments: sizes, grains)
    func mapAndCompactMapMatchTheSequentialOnes(size: Int, grain: Int?) throws {
        let input = Self.randomInts(size, seed: UInt64(size))
        let (mapped, compacted) = try Self.onPool {
            (
                try input.parallelMap(grain: grain) { $0 * 3 - 1 },
                try input.parallelCompactMap(grain: grain) { $0 % 3 == 0 ? nil : String($0) }
            )
        }
        #expect(mapped == input.map { $0 * 3 - 1 })
        #expect(compacted == input.compactMap { $0 % 3 == 0 ? nil : String($0) })
    }

    @Test(arguments: sizes, grains)
    func forEachVisitsEveryElementOnce(size: Int, grain: Int?) throws {
        let seen = Counters(count: Swift.max(size, 1))
        try Self.onPool { try Array(0..<size).parallelForEach(grain: grain) { seen.increment($0) } }
        #expect((0..<size).allSatisfy { seen[$0] == 1 })
    }

    @Test(arguments: sizes, grains)
    func reductionsMatchTheSequentialOnes(size: Int, grain: Int?) throws {
        let input = Self.randomInts(size, seed: UInt64(size) + 1)
        let (sum, reduced, joined) = try Self.onPool {
            (
                try input.parallelSum(grain: grain),
                try input.parallelReduce(grain: grain, Int.min) { Swift.max($0, $1) },
                // Not commutative: the order of the pieces shows.
                try input.prefix(2_000).parallelReduce(grain: grain, "", { $0 + "\($1)," }, combine: +)
            )
        }
        #expect(sum == input.reduce(0, +))
        #expect(reduced == input.reduce(Int.min) { Swift.max($0, $1) })
        #expect(joined == input.prefix(2_000).reduce("") { $0 + "\($1)," })
    }

    @Test(arguments: sizes, grains)
    func searchesMatchTheSequentialOnes(size: Int, grain: Int?) throws {
        let input = Self.randomInts(size, seed: UInt64(size) + 2)
        // Rare, common, first, last and absent matches.
        let targets = [999, 0, input.first ?? 5_000, input.last ?? 5_000, 5_000]
        for target in targets {
            let (contains, first) = try Self.onPool {
                (
                    try input.parallelContains(grain: grain) { $0 == target },
                    try input.parallelFirstIndex(grain: grain) { $0 == target }
                )
            }
            #expect(contains == input.contains(target))
            #expect(first == input.firstIndex(of: target))
        }
    }

    /// Around the size below which a piece is sorted sequentially, and
    /// large (smaller under the sanitizers, where a million takes minutes).
    @Test(arguments: [0, 1, 4_095, 4_096, 4_097, runsUnderASanitizer ? 100_000 : 1_000_000])
    func sortMatchesAStableSequentialSort(size: Int) throws {
        // Few distinct keys, so stability shows: the tag records the order.
        var random = SplitMix(seed: UInt64(size) + 3)
        let input = (0..<size).map { (key: Int.random(in: 0..<100, using: &random), tag: $0) }
        let keys = input.map(\.key), tags = input.map(\.tag)
        let sorted = try Self.onPool {
            var pairs = zip(keys, tags).map { Pair(key: $0, tag: $1) }
            pairs.parallelSort { $0.key < $1.key }
            return pairs
        }
        let expected = zip(keys, tags).map { Pair(key: $0, tag: $1) }
            .sorted { ($0.key, $0.tag) < ($1.key, $1.tag) }
        #expect(sorted == expected)
        #expect(try Self.onPool { keys.parallelSorted(by: >) } == keys.sorted(by: >))
        var plain = keys
        try Self.onPool { () -> [Int] in
            var copy = keys
            copy.parallelSort()
            return copy
        }.withUnsafeBufferPointer { #expect(Array($0) == plain.sorted()) }
        // Outside a pool it sorts too.
        plain.parallelSort(by: >)
        #expect(plain == keys.sorted(by: >))
    }

    @Test(arguments: [1, 7, 64, 1_000, 2_000])
    func chunksCoverTheArrayOnceInPlace(size: Int) throws {
        let count = 1_000
        let array = try Self.onPool { () -> [Int] in
            var array = [Int](repeating: -1, count: count)
            try array.withParallelChunks(ofCount: size) { start, chunk in
                #expect(start % size == 0)
                #expect(chunk.count == Swift.min(size, count - start))
                for i in chunk.indices {
                    #expect(chunk[i] == -1)
                    chunk[i] = start + i
                }
            }
            return array
        }
        #expect(array == Array(0..<count))
    }

    @Test func aChunkSizeLargerThanTheArrayIsOneChunk() throws {
        var array = [1, 2, 3]
        let calls = Counters(count: 1)
        try array.withParallelChunks(ofCount: Int.max) { start, chunk in
            calls.increment(0)
            #expect(start == 0 && chunk.count == 3)
            chunk[0] = 10
        }
        #expect(calls[0] == 1 && array == [10, 2, 3])
    }

    @Test func badSizesThrowClearErrorsEverywhere() throws {
        var empty: [Int] = []
        try empty.withParallelChunks(ofCount: 3) { _, _ in Issue.record("called for an empty array") }
        #expect(throws: TaskletPoolError.invalidChunkSize(0)) {
            var array = [1, 2]
            try array.withParallelChunks(ofCount: 0) { _, _ in }
        }
        #expect(throws: TaskletPoolError.invalidGrain(0)) { try [1].parallelMap(grain: 0) { $0 } }
        #expect(throws: TaskletPoolError.invalidGrain(-1)) { try [1].parallelSum(grain: -1) }
        #expect(throws: TaskletPoolError.invalidGrain(0)) { try [1].parallelContains(grain: 0) { _ in true } }
        #expect("\(TaskletPoolError.invalidChunkSize(0))" == "invalid chunk size 0: expected 1 or more")
    }

    @Test func anyRandomAccessCollectionWorksWithItsOwnIndices() throws {
        let numbers = Array(0..<10_000)
        let slice = numbers[5_000...]
        let (first, doubled, rangeSum) = try Self.onPool {
            (
                try slice.parallelFirstIndex(grain: 100) { $0 % 1_000 == 999 },
                try slice.parallelMap(grain: 100) { $0 * 2 },
                try (1...1_000).parallelSum()
            )
        }
        #expect(first == 5_999)
        #expect(doubled == slice.map { $0 * 2 })
        #expect(rangeSum == 500_500)
    }

    /// Every element loop of `visit`: an array's (a pointer into its
    /// storage), a range's (slices, a range being its own slice) and a closed
    /// range's (its indices).
    @Test(arguments: ["array", "range", "closed range"])
    func aThrowingMapReleasesWhatItMadeAndThrowsTheError(input: String) throws {
        let live = LiveCount()
        let made = Counters(count: 1)
        let transform: @Sendable (Int) throws -> Tracked = { value in
            if value == 50_000 {
                // Throw once the pieces on both sides are made, so that
                // results left and right of the failure must be released.
                // (Its own piece stops here: 99,900 can be made.)
                let deadline = ContinuousClock.now + .seconds(20)
                while made[0] < 99_000 && ContinuousClock.now < deadline { usleep(100) }
                throw Boom(id: 7)
            }
            made.increment(0)
            return Tracked(live)
        }
        #expect(throws: Boom(id: 7)) {
            try Self.onPool {
                switch input {
                case "array": _ = try Array(0..<100_000).parallelMap(grain: 100, transform)
                case "range": _ = try (0..<100_000).parallelMap(grain: 100, transform)
                default: _ = try (0...99_999).parallelMap(grain: 100, transform)
                }
            }
        }
        #expect(made[0] >= 99_000)
        #expect(live.now == 0)
        // A map that succeeds keeps every result alive, once.
        let results = try Self.onPool { try Array(0..<10_000).parallelMap(grain: 10) { _ in Tracked(live) } }
        #expect(live.now == 10_000)
        withExtendedLifetime(results) {}
    }

    @Test func aMapCancelledFromOutsideReleasesWhatItMadeToo() throws {
        let live = LiveCount()
        let mapSaw = Counters(count: 2)  // [0]: CancellationError, [1]: results made
        #expect(throws: Boom(id: 8)) {
            try Self.onPool {
                _ = try join(
                    {
                        do {
                            return try Array(0..<200_000).parallelMap(grain: 10) { _ -> Tracked in
                                mapSaw.increment(1)
                                return Tracked(live)
                            }
                        } catch is CancellationError {
                            mapSaw.increment(0)
                            throw CancellationError()
                        }
                    },
                    { () throws -> Int in
                        // Cancel the map once it has made some results.
                        let deadline = ContinuousClock.now + .seconds(20)
                        while mapSaw[1] < 1_000 && ContinuousClock.now < deadline { usleep(100) }
                        throw Boom(id: 8)
                    })
            }
        }
        #expect(mapSaw[1] >= 1_000 && mapSaw[1] < 200_000, "made \(mapSaw[1])")
        #expect(mapSaw[0] == 1, "the map was not cancelled mid-way")
        #expect(live.now == 0)
    }

    @Test func aSearchReportsTheEarliestMatchOrErrorAsTheSequentialOneDoes() throws {
        struct Thrown: Error, Equatable { let at: Int }
        let numbers = Array(0..<100_000)
        // A match at 5 that is slow to be seen, an error far to the right
        // that comes first in time: the match decides, as sequentially.
        let (first, contains) = try Self.onPool {
            (
                try numbers.parallelFirstIndex(grain: 1_000) { value in
                    if value == 5 { usleep(20_000); return true }
                    if value == 99_999 { throw Thrown(at: value) }
                    return false
                },
                try numbers.parallelContains(grain: 1_000) { value in
                    if value == 5 { usleep(20_000); return true }
                    if value == 99_999 { throw Thrown(at: value) }
                    return false
                }
            )
        }
        #expect(first == 5)
        #expect(contains)
        // An error before the first match decides firstIndex, as
        // sequentially; contains still finds the match.
        #expect(throws: Thrown(at: 10)) {
            try Self.onPool {
                try numbers.parallelFirstIndex(grain: 1_000) { value in
                    if value == 10 { throw Thrown(at: value) }
                    return value == 50_000
                }
            }
        }
        #expect(try Self.onPool {
            try numbers.parallelContains(grain: 1_000) { value in
                if value == 10 { throw Thrown(at: value) }
                return value == 50_000
            }
        })
        // No match: both throw the error.
        #expect(throws: Thrown(at: 10)) {
            try Self.onPool { try numbers.parallelContains { if $0 == 10 { throw Thrown(at: 10) }; return false } }
        }
        #expect(throws: Thrown(at: 10)) {
            try Self.onPool { try numbers.parallelFirstIndex { if $0 == 10 { throw Thrown(at: 10) }; return false } }
        }
    }

    @Test func sortingObjectsNeitherLeaksNorFreesTwiceAndStaysStable() throws {
        let live = LiveCount()
        for size in [4_097, 70_001] {
            var random = SplitMix(seed: UInt64(size))
            let keys = (0..<size).map { _ in Int.random(in: 0..<50, using: &random) }
            let sortedTags = try Self.onPool { () -> [Int] in
                var items = keys.enumerated().map { Keyed(key: $0.element, tag: $0.offset, live: live) }
                items.parallelSort { $0.key < $1.key }
                return items.map(\.tag)
            }
            let expected = keys.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }.map(\.offset)
            #expect(sortedTags == expected)
        }
        #expect(live.now == 0)
    }

    @Test func searchesStopEarly() throws {
        let visited = Counters(count: 1)
        let found = try Self.onPool {
            try Array(0..<1_000_000).parallelContains(grain: 1_000) { value in
                visited.increment(0)
                return value == 10
            }
        }
        #expect(found)
        // Far fewer than the million a search that does not stop would see.
        #expect(visited[0] < 500_000, "visited \(visited[0])")
    }

    @Test func theMethodsNestInEachOtherAndInJoinsAndScopes() throws {
        let rows = (0..<64).map { Self.randomInts(500, seed: UInt64($0)) }
        let (sortedRows, sums) = try Self.onPool {
            try join(
                { try rows.parallelMap(grain: 1) { row in
                    var row = row
                    row.parallelSort()
                    return row
                } },
                {
                    try throwingScope { s in
                        let sums = try rows.parallelMap { row in try row.parallelSum(grain: 10) }
                        s.spawn { _ = try rows.parallelContains { $0.isEmpty } }
                        return sums
                    }
                })
        }
        #expect(sortedRows == rows.map { $0.sorted() })
        #expect(sums == rows.map { $0.reduce(0, +) })
    }
}

struct Pair: Equatable, Sendable {
    let key: Int
    let tag: Int
}

/// Counts its live instances, to catch results leaked or freed twice.
final class Tracked: Sendable {
    let live: LiveCount

    init(_ live: LiveCount) {
        self.live = live
        live.count.add(1, ordering: .relaxed)
    }

    deinit { live.count.subtract(1, ordering: .relaxed) }
}

/// A sort key with a tag and a life counted by `live`.
final class Keyed: Sendable {
    let key: Int
    let tag: Int
    let life: Tracked

    init(key: Int, tag: Int, live: LiveCount) {
        self.key = key
        self.tag = tag
        life = Tracked(live)
    }
}

final class LiveCount: Sendable {
    let count = Atomic<Int>(0)
    var now: Int { count.load(ordering: .relaxed) }
}
