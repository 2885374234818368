import AWSCore
import Deployment
import Foundation

/// `HealthProber` over HTTP: `GET http://address:port/path`, healthy on 2xx.
public struct HTTPHealthProber: HealthProber {
    let transport: any HTTPTransport

    public init(transport: any HTTPTransport) {
        self.transport = transport
    }

    public func isHealthy(address: String, port: Int, path: String, timeout: Duration) async -> Bool {
        let host = address.contains(":") ? "[\(address)]" : address
        guard let url = URL(string: "http://\(host):\(port)\(path)") else { return false }
        guard let response = try? await transport.send(HTTPRequest(method: "GET", url: url), timeout: timeout) else { return false }
        return (200..<300).contains(response.status)
    }
}
