import Foundation

/// A Python HTTP server on a free 127.0.0.1 port that prints its port on its first line, stopped by PID
/// (SIGKILL: a child started from a test thread may inherit a mask that blocks SIGTERM) when released.
public final class LocalPythonServer: @unchecked Sendable {
    let process = Process()
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }

    /// - Parameter arguments: what follows `python3`, e.g. a script path or `-c CODE`.
    public init(arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
