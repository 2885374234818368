import AWSCore
import Deployment
import Foundation

/// `SmokeProber` over HTTP: `GET url` with the given headers (the preview header), through the load balancer.
public struct HTTPSmokeProber: SmokeProber {
    let transport: any HTTPTransport

    public init(transport: any HTTPTransport) {
        self.transport = transport
    }

    public func get(url: String, headers: [String: String], timeout: Duration) async -> Int? {
        guard let url = URL(string: url) else { return nil }
        let request = HTTPRequest(method: "GET", url: url, headers: headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) })
        return try? await transport.send(request, timeout: timeout).status
    }
}
