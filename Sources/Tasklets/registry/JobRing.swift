/// A growable FIFO ring of job references, allocated on first use (an idle
/// actor's strand has one and should cost little). Not thread-safe: its
/// owner's lock guards it.
struct JobRing: ~Copyable {
    private var slots: UnsafeMutablePointer<JobRef>?
    private var capacity = 0
    private var head = 0
    private var stored = 0

    init() {}

    deinit {
        slots?.deallocate()
    }

    var isEmpty: Bool { stored == 0 }

    /// The oldest job, left in place.
    var first: JobRef? { stored > 0 ? slots?[head] : nil }

    mutating func append(_ job: JobRef) {
        if stored == capacity { grow() }
        let slots = slots.unsafelyUnwrapped
        slots[(head + stored) & (capacity - 1)] = job
        stored += 1
    }

    mutating func removeFirst() -> JobRef? {
        guard stored > 0, let slots else { return nil }
        let job = slots[head]
        head = (head + 1) & (capacity - 1)
        stored -= 1
        return job
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<JobRef>.allocate(capacity: max(capacity * 2, 8))
        for offset in 0..<stored {
            larger[offset] = slots.unsafelyUnwrapped[(head + offset) & (capacity - 1)]
        }
        slots?.deallocate()
        slots = larger
        head = 0
        capacity = max(capacity * 2, 8)
    }
}
