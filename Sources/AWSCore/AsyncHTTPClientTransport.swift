import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// The live transport, on AsyncHTTPClient over NIO's shared event loop group.
///
/// HTTP clients live for the whole process (one per connect timeout), so connections are pooled across calls and
/// nothing needs shutting down.
public struct AsyncHTTPClientTransport: HTTPTransport {
    private let client: HTTPClient

    /// - Parameter connectTimeout: how long to wait for a TCP (and TLS) connection.
    public init(connectTimeout: Duration = .seconds(3)) {
        client = Self.sharedClient(connectTimeout: connectTimeout)
    }

    private static let clients = Mutex<[Int64: HTTPClient]>([:])

    private static func sharedClient(connectTimeout: Duration) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[connectTimeout.nanoseconds] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: .nanoseconds(connectTimeout.nanoseconds))
            configuration.decompression = .enabled(limit: .ratio(50))
            configuration.redirectConfiguration = .disallow
            configuration.httpVersion = .http1Only
            // A refused connection fails the attempt at once; our RetryPolicy (on the injected clock) decides what
            // happens next, instead of the pool retrying quietly until the request deadline.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[connectTimeout.nanoseconds] = client
            return client
        }
    }

    public func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        do {
            let response = try await client.execute(outgoing, timeout: .nanoseconds(timeout.nanoseconds))
            let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return HTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Data(body.readableBytesView))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                throw HTTPTransportError(.timeout, "timed out after \(timeout)")
            case .remoteConnectionClosed:
                throw HTTPTransportError(.connect, "the connection was closed by the server")
            default:
                throw HTTPTransportError(.other, String(describing: error))
            }
        } catch let error as HTTPTransportError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw HTTPTransportError(.connect, Self.describe(error))
        }
    }

    /// NIO's connection errors print as type dumps; keep the part an operator can read.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("NXDOMAIN") || text.contains("nodename nor servname") || text.contains("resolve") {
            return "the host name could not be resolved"
        }
        if text.contains("connectTimeout") { return "connecting timed out" }
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
