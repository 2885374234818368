import Foundation
import Testing

@testable import AWSCore

/// Runs `fake_metadata_server.py` on a free 127.0.0.1 port for the life of one test, and stops it by PID.
final class FakeMetadataServer {
    let process = Process()
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fake_metadata_server.py")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The first line is the port.
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile)
        }
        self.port = port
    }

    struct LoggedRequest: Decodable {
        var method: String
        var path: String
        var headers: [String: String]
    }

    /// The requests the server has served.
    func log() async throws -> [LoggedRequest] {
        let response = try await AsyncHTTPClientTransport().send(
            HTTPRequest(method: "GET", url: URL(string: "\(url)/_log")!), timeout: .seconds(5))
        return try JSONDecoder().decode([LoggedRequest].self, from: response.body)
    }

    deinit {
        // SIGKILL: a child started from a test thread may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
