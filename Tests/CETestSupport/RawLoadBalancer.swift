import AWSCore
import AWSServices
import Foundation
import Synchronization

/// A load balancer's listeners and rules exactly as moto answers `DescribeListeners` and `DescribeRules`: each one's
/// XML `<member>` element, by ARN, byte for byte — for tests that prove a command left a route untouched.
public enum RawLoadBalancer {
    /// Keeps every response body the client receives.
    final class CapturingTransport: HTTPTransport {
        let base = AsyncHTTPClientTransport()
        let bodies = Mutex<[String]>([])
        func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
            let response = try await base.send(request, timeout: timeout)
            bodies.withLock { $0.append(String(decoding: response.body, as: UTF8.self)) }
            return response
        }
    }

    /// ARN → the listener's or rule's `<member>…</member>` as answered. A listener's default rule (`DescribeRules`
    /// lists the default actions again as a rule with `IsDefault` true) is keyed `LISTENER-ARN default-rule`.
    public static func members(loadBalancerArn: String) async throws -> [String: String] {
        let transport = CapturingTransport()
        let client = AWSClient(
            region: "us-east-1", credentialProvider: StaticCredentialProvider(Moto.credentials),
            endpoints: EndpointResolver(commandLineURL: Moto.endpoint!, environment: [:]), transport: transport, retryPolicy: .none)
        let elbv2 = ELBv2(client: client)
        for listener in try await elbv2.describeListeners(.init(loadBalancerArn: loadBalancerArn)) {
            _ = try await elbv2.describeRules(.init(listenerArn: listener.listenerArn))
        }
        var result: [String: String] = [:]
        for body in transport.bodies.withLock({ $0 }) {
            for (start, arnTag) in [("<member><ListenerArn>", "ListenerArn"), ("<member><RuleArn>", "RuleArn")] {
                let chunks = body.components(separatedBy: start).dropFirst()
                for chunk in chunks {
                    let arn = String(chunk.prefix { $0 != "<" })
                    var member = start + chunk
                    // The last member runs up to the end of its list.
                    if let end = member.range(of: arnTag == "ListenerArn" ? "</Listeners>" : "</Rules>") { member = String(member[..<end.lowerBound]) }
                    if member.contains("<IsDefault>true</IsDefault>"), let range = arn.range(of: "listener-rule/") {
                        let listener = arn.replacingCharacters(in: range, with: "listener/").split(separator: "/").dropLast().joined(separator: "/")
                        result[listener + " default-rule"] = member
                    } else {
                        result[arn] = member
                    }
                }
            }
        }
        return result
    }
}
