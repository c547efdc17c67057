import Foundation

/// Runs a program to completion with a bounded wait, capturing its output.
struct Command {
    var status: Int32
    var standardOutput: String
    var standardError: String
    /// Whether it ran past its timeout and was killed.
    var timedOut: Bool

    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        directory: String? = nil, timeout: TimeInterval = 60
    ) throws -> Command {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Files, not pipes: a chatty child cannot fill a pipe and stall.
        let scratch = NSTemporaryDirectory() + "tasklets-bench-command-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: scratch + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: scratch + ".out")
            try? FileManager.default.removeItem(atPath: scratch + ".err")
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + ".out"))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + ".err"))
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let timedOut = process.isRunning
        if timedOut {
            process.terminate()
            process.waitUntilExit()
        }
        process.waitUntilExit()
        try output.close()
        try errors.close()
        return Command(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOfFile: scratch + ".out", encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: scratch + ".err", encoding: .utf8)) ?? "",
            timedOut: timedOut)
    }
}

/// Where things are: the repository (from this file's path) and the
/// `tasklets-bench` built next to the test bundle.
enum Locations {
    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // the file, Support, the test target, Tests
        return url.path
    }()

    /// `tasklets-bench` in the test bundle's build directory, or nil.
    static let harness: String? = {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // The bundle is `<build>/swift-taskletsPackageTests.xctest` (a file
        // on Linux); be tolerant of one more level.
        for _ in 0..<2 {
            let candidate = directory.appendingPathComponent("tasklets-bench").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    static let bash: String? = ["/bin/bash", "/usr/bin/bash"].first { FileManager.default.isExecutableFile(atPath: $0) }
}
