import Foundation
import CETestSupport
import Testing

@testable import AWSCore

/// Runs `fake_metadata_server.py` on a free 127.0.0.1 port for the life of one test.
final class FakeMetadataServer {
    let server: LocalPythonServer
    var url: String { server.url }

    init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("fake_metadata_server.py")
        server = try LocalPythonServer(arguments: [script.path])
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
}
