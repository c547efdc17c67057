import Foundation

/// A progress line on standard error, rewritten in place on a terminal.
struct Progress {
    private let total: Int
    private var done = 0
    private let interactive = isatty(2) != 0
    private let enabled: Bool

    init(total: Int, enabled: Bool = true) {
        self.total = total
        self.enabled = enabled
    }

    mutating func step(_ what: String) {
        done += 1
        guard enabled else { return }
        let line = "[\(done)/\(total)] \(what)"
        if interactive {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else if done == 1 || done == total || done % 20 == 0 {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    func finish() {
        if enabled && interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
