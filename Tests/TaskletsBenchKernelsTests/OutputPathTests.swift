import Foundation
import TaskletsBenchKernels
import Testing

/// `--output` and the other file options are checked before a run starts.
@Suite struct OutputPathTests {
    @Test func writableNamesPass() throws {
        let directory = NSTemporaryDirectory() + "tasklets-bench-output-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try OutputPath.check(directory + "/new.json", option: "--output")
        try "old".write(toFile: directory + "/old.json", atomically: false, encoding: .utf8)
        try OutputPath.check(directory + "/old.json", option: "--output")
        try OutputPath.check("relative-name.json", option: "--output")
        // The check creates nothing.
        #expect(!FileManager.default.fileExists(atPath: directory + "/new.json"))
    }

    @Test func unwritableNamesFailBeforeAnythingRuns() throws {
        let file = NSTemporaryDirectory() + "tasklets-bench-file-" + UUID().uuidString
        try "x".write(toFile: file, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let cases: [(String, BenchError)] = [
            ("/nonexistent-tasklets/out.json", .unwritable(option: "--output", path: "/nonexistent-tasklets/out.json", reason: "no directory /nonexistent-tasklets")),
            (NSTemporaryDirectory(), .unwritable(option: "--output", path: NSTemporaryDirectory(), reason: "it is a directory")),
            (file + "/out.json", .unwritable(option: "--output", path: file + "/out.json", reason: "\(file) is not a directory")),
            ("", .unwritable(option: "--output", path: "", reason: "the name is empty")),
        ]
        for (path, expected) in cases {
            #expect(throws: expected) { try OutputPath.check(path, option: "--output") }
        }
        #expect(BenchError.unwritable(option: "--output", path: "/x/y", reason: "no directory /x").description
            == #"cannot write --output "/x/y": no directory /x"#)
    }
}
