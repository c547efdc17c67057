#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The live file access behind `SystemCalls.readFile` and `listDirectory`.
///
/// Topology discovery reads many small kernel files (sysfs, cgroup, proc) and
/// must never hang or exhaust memory on a strange one, even under a fixture
/// root: files open non-blocking, only regular files are read, and a read
/// stops at `maximumFileBytes`.
extension SystemCalls {
    /// The largest file `readFile` returns (a cpulist of 65 536 CPUs fits).
    static let maximumFileBytes = 1 << 20
}

func readWholeFile(_ path: String) -> Result<[UInt8], SystemError> {
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    if descriptor < 0 { return .failure(SystemError(errno: errno, call: "open(\(path))")) }
    defer { close(descriptor) }
    var status = stat()
    if fstat(descriptor, &status) != 0 { return .failure(SystemError(errno: errno, call: "fstat(\(path))")) }
    guard status.st_mode & S_IFMT == S_IFREG else {
        return .failure(SystemError(errno: EINVAL, call: "read(\(path)): not a regular file"))
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            return .failure(SystemError(errno: errno, call: "read(\(path))"))
        }
        if count == 0 { return .success(bytes) }
        bytes.append(contentsOf: chunk[..<count])
        if bytes.count > SystemCalls.maximumFileBytes {
            return .failure(SystemError(errno: EFBIG, call: "read(\(path))"))
        }
    }
}

func directoryEntries(_ path: String) -> Result<[String], SystemError> {
    guard let directory = opendir(path) else {
        return .failure(SystemError(errno: errno, call: "opendir(\(path))"))
    }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return .success(names)
}
