import CTaskletsShims
import Synchronization
import Testing
@testable import Tasklets

#if canImport(Glibc)
import Glibc
#endif

/// The job-record cache (CTaskletsShims.h, "Job records"): records freed on
/// one thread and allocated on another, as spawns from outside the pool do.
@Suite struct JobRecordTests {
    @Test func aHeapJobFitsARecord() {
        #expect(HeapJob.fitsARecord)
    }

    /// Never hands a live record out twice. Four threads allocate records,
    /// note each in a set of live records (an allocation already in it is a
    /// record handed out twice), fill it with a serial number of its own,
    /// and pass it to the next thread, which checks the serial, drops it
    /// from the set and frees it: frees on a thread that did not allocate,
    /// caches that overflow into the depot, threads that take magazines
    /// back out. A record handed out twice is also refilled while its first
    /// owner holds it (and ThreadSanitizer sees the two writers race). Then
    /// the threads exit with full caches.
    @Test func aRecordHasOneOwnerAtATimeAcrossThreads() throws {
        let threads = 4
        let inboxes = (0..<threads).map { _ in Inbox() }
        let live = Inbox()
        let serials = Atomic<UInt64>(1)
        let duplicates = Atomic<Int>(0)
        let corrupted = Atomic<Int>(0)
        let passed = Atomic<Int>(0)
        @Sendable func release(_ record: UnsafeMutableRawPointer, _ serial: UInt64) {
            if !Self.holds(record, serial) { corrupted.add(1, ordering: .relaxed) }
            live.forget(record)
            ctasklets_job_record_free(record)
            passed.add(1, ordering: .relaxed)
        }
        try bounded(60, "records passed between threads") {
            runConcurrently(threads) { index in
                for round in 0..<200 {
                    var batch: [(UnsafeMutableRawPointer, UInt64)] = []
                    for _ in 0..<(17 + round % 150) {
                        guard let record = ctasklets_job_record_allocate() else { continue }
                        if !live.note(record) { duplicates.add(1, ordering: .relaxed) }
                        let serial = serials.add(1, ordering: .relaxed).oldValue
                        record.initializeMemory(as: UInt64.self, repeating: serial, count: Self.words)
                        batch.append((record, serial))
                    }
                    // Hold them a moment, then check nobody else wrote them.
                    sched_yield()
                    for (record, serial) in batch where !Self.holds(record, serial) {
                        corrupted.add(1, ordering: .relaxed)
                    }
                    inboxes[(index + 1) % threads].post(batch)
                    for (record, serial) in inboxes[index].take() { release(record, serial) }
                }
            }
        }
        // What the last rounds posted after their receivers finished.
        for inbox in inboxes {
            for (record, serial) in inbox.take() { release(record, serial) }
        }
        #expect(duplicates.load(ordering: .relaxed) == 0)
        #expect(corrupted.load(ordering: .relaxed) == 0)
        #expect(passed.load(ordering: .relaxed) > 4 * 200 * 17)
    }

    static let words = Int(CTASKLETS_JOB_RECORD_BYTES) / MemoryLayout<UInt64>.size

    static func holds(_ record: UnsafeMutableRawPointer, _ serial: UInt64) -> Bool {
        UnsafeBufferPointer(start: record.assumingMemoryBound(to: UInt64.self), count: words)
            .allSatisfy { $0 == serial }
    }

    /// Records in flight to one thread with their serials, or (`note`,
    /// `forget`) the set of records allocated and not yet freed.
    final class Inbox: @unchecked Sendable {
        private let lock = _PthreadLock()
        private var records: [(UnsafeMutableRawPointer, UInt64)] = []
        private var held: Set<UnsafeMutableRawPointer> = []

        func post(_ batch: [(UnsafeMutableRawPointer, UInt64)]) {
            lock.withLock { records.append(contentsOf: batch) }
        }

        func take() -> [(UnsafeMutableRawPointer, UInt64)] {
            lock.withLock {
                let taken = records
                records = []
                return taken
            }
        }

        /// False if `record` is already held.
        func note(_ record: UnsafeMutableRawPointer) -> Bool {
            lock.withLock { held.insert(record).inserted }
        }

        func forget(_ record: UnsafeMutableRawPointer) {
            _ = lock.withLock { held.remove(record) }
        }
    }
}
