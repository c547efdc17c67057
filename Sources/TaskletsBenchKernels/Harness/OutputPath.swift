import Foundation

/// Checks of the files a command will write (`--output`, `--csv-output`,
/// `--statistics-output`, `--plot`), made before anything runs: a typo in
/// a directory name should cost a second, not the minute of a suite.
public enum OutputPath {
    /// Throws unless `path` names a file that can be created or replaced:
    /// an existing writable regular file, or a new name in an existing,
    /// writable directory. Creates and changes nothing.
    public static func check(_ path: String, option: String) throws(BenchError) {
        func fail(_ reason: String) -> BenchError { .unwritable(option: option, path: path, reason: reason) }
        guard !path.isEmpty else { throw fail("the name is empty") }
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw fail("it is a directory") }
            guard access(path, W_OK) == 0 else { throw fail("permission denied") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw fail("no directory \(directory)")
        }
        guard isDirectory.boolValue else { throw fail("\(directory) is not a directory") }
        guard access(directory, W_OK | X_OK) == 0 else { throw fail("directory \(directory) is not writable") }
    }
}
