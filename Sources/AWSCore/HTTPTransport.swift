import Foundation

/// One HTTP request as the AWS client sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// Why a request got no HTTP response.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case connect, timeout, other }
    public var kind: Kind
    public var reason: String
    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }
    public var description: String { reason }
}

/// Sends HTTP requests. The live implementation uses AsyncHTTPClient; tests substitute scripted ones.
public protocol HTTPTransport: Sendable {
    /// Sends `request`, giving up with `HTTPTransportError` after `timeout` (connect and response together).
    func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse
}
