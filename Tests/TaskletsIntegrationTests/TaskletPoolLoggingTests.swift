#if Logging
import Foundation
import Logging
import Testing

@testable import Tasklets
@testable import TaskletsLogging

#if canImport(Glibc)
import Glibc
#endif

/// A log handler that keeps every record.
struct RecordingLogHandler: LogHandler {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    let records: Locked<[Record]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let record = Record(
            level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 })
        records.withLock { $0.append(record) }
    }
}

extension RecordingLogHandler.Record {
    var kind: String? { metadata["tasklets.diagnostic"].map { "\($0)" } }
}

@Suite struct TaskletPoolLoggingTests {
    func recordingLogger() -> (Logger, Locked<[RecordingLogHandler.Record]>) {
        let records = Locked<[RecordingLogHandler.Record]>([])
        return (Logger(label: "tasklets-test", factory: { _ in RecordingLogHandler(records: records) }), records)
    }

    @Test func pinningRefusedAndNoNodeLocalMemoryAreLoggedAsWarnings() throws {
        var system = SystemCalls.live
        system.pinCurrentThread = { _ in EINVAL }
        system.numaLoad = { "libnuma not loadable (test)" }
        let (logger, records) = recordingLogger()
        let pool = try TaskletPool(
            workers: 2, placement: .compact, supervision: .disabled, system: system, errorHandler: { _ in },
            diagnosticHandler: TaskletPool.logDiagnostics(to: logger))
        defer { pool.shutdown() }
        let pinning = records.current.filter { $0.kind == "pinning_refused" }
        #expect(pinning.count == 2)
        #expect(pinning.allSatisfy { $0.level == .warning && $0.message.contains("could not pin") })
        #expect(Set(pinning.compactMap { $0.metadata["tasklets.worker"].map { "\($0)" } }) == ["0", "1"])
        let memory = records.current.filter { $0.kind == "node_local_memory_unavailable" }
        #expect(memory.count == 1)  // once, although both workers met it
        #expect(memory.first?.level == .warning)
        #expect(memory.first?.message.hasPrefix("node-local memory unavailable: ") == true)
        #expect(memory.first?.message.contains("libnuma not loadable (test)") == true)
        // Still listed where they always were.
        #expect(pool.diagnostics.filter { $0.contains("could not pin") }.count == 2)
    }

    @Test func sparesStartedAndLongTaskletsAreLoggedAsNotices() throws {
        let (logger, records) = recordingLogger()
        let pool = try TaskletPool(
            workers: 1, supervision: TaskletPool.Supervision(longTaskletThreshold: .milliseconds(5)), logger: logger)
        defer { pool.shutdown() }
        let release = Locked(false)
        let started = Locked(false)
        try pool.spawn(name: "spinner") {
            started.withLock { $0 = true }
            _ = waitUntil(seconds: 20) { release.current }
        }
        #expect(waitUntil { started.current })
        let ran = Locked(0)
        for _ in 0..<5 { try pool.spawn { ran.withLock { $0 += 1 } } }
        // Only a spare can run them while the one worker spins.
        #expect(waitUntil { ran.current == 5 })
        #expect(waitUntil { records.current.contains { $0.kind == "spare_started" } })
        // The watchdog reports the spare before the long tasklet that
        // called for it: wait for that too.
        #expect(waitUntil { records.current.contains { $0.kind == "long_tasklet" } })
        release.withLock { $0 = true }
        let long = records.current.filter { $0.kind == "long_tasklet" }
        #expect(long.count >= 1)
        let first = try #require(long.first)
        #expect(first.level == .notice)
        #expect(first.metadata["tasklets.name"].map { "\($0)" } == "spinner")
        #expect(first.metadata["tasklets.worker"].map { "\($0)" } == "0")
        #expect(first.message.contains("tasklet \"spinner\""))
        let spare = try #require(records.current.first { $0.kind == "spare_started" })
        #expect(spare.level == .notice)
        #expect(spare.metadata["tasklets.worker"].map { "\($0)" } == "1")  // spares come after the workers
        #expect(pool.statistics().supervision.sparesStarted >= 1)
    }

    @Test func aNilLoggerSendsEveryDiagnosticToStandardError() throws {
        // A pool without a handler writes its problems only; `logger: nil`
        // installs `writeDiagnosticsToStandardError`, which writes events too.
        // Standard error goes to a file for the test's few milliseconds.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tasklets-stderr-\(getpid())").path
        let file = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        try #require(file >= 0)
        defer { unlink(path) }
        let saved = dup(2)
        dup2(file, 2)
        let pool: TaskletPool
        do {
            defer {
                dup2(saved, 2)
                close(saved)
                close(file)
            }
            pool = try TaskletPool(
                workers: 1, supervision: TaskletPool.Supervision(longTaskletThreshold: .milliseconds(5)), logger: nil)
            // A long tasklet, nothing behind it. 200 ms: the watchdog of an
            // idle pool dozes (first 8 × the threshold, 40 ms here) and looks
            // once it wakes, so a 40 ms tasklet could end unseen on a busy
            // machine (docs/starvation.md).
            _ = try pool.spawn(name: "sleeper") { usleep(200_000) }
            _ = waitUntil(seconds: 5) {
                ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").contains("tasklet \"sleeper\"")
            }
        }
        pool.shutdown()
        let written = try String(contentsOfFile: path, encoding: .utf8)
        // What other tests wrote meanwhile goes where it was going.
        FileHandle.standardError.write(Data(written.utf8))
        #expect(written.contains("swift-tasklets: worker 0 has run tasklet \"sleeper\" for"))
    }
}
#endif
