import Deployment
import Foundation
import Testing

@testable import DeploymentAWS
import TestPredicates

/// `ce iam-policy` grants exactly what ce may call. The set of operations ce's code sends is derived from the sources:
/// every AWS operation named in the AWS layer (`Sources/AWSServices`: `op("Name")` with its file's service, or
/// `AWSOperation<…>(.service, "Name")`), kept when the method that names it is called from ce's own code (`Sources`
/// outside `AWSServices`). A new call in the code without its action in the policy — or an action ce never sends —
/// fails this test.
struct IAMPolicyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// IAM's prefix for each `AWSService` case.
    static let prefixes = ["elbv2": "elasticloadbalancing", "autoScaling": "autoscaling", "ssm": "ssm", "cloudWatch": "cloudwatch", "ec2": "ec2", "sts": "sts", "s3": "s3"]
    /// REST operations whose IAM action has another name.
    static let actionNames = ["s3:ListObjectVersions": "s3:ListBucketVersions"]

    static func swiftFiles(_ directory: String) throws -> [String] {
        let base = root.appendingPathComponent(directory)
        let names = try FileManager.default.subpathsOfDirectory(atPath: base.path).filter { $0.hasSuffix(".swift") }
        return try names.sorted().map { try String(contentsOf: base.appendingPathComponent($0), encoding: .utf8) }
    }

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
            (1..<match.numberOfRanges).map { Range(match.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
        }
    }

    /// Method name → the IAM actions its body names, over the AWS layer.
    static func operationsByMethod() throws -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for file in try swiftFiles("Sources/AWSServices") {
            // `static func op<…>(_ name: String) -> AWSOperation<I, O> { AWSOperation(.ssm, name) }`
            let fileService = matches(#"AWSOperation\(\.(\w+), name\)"#, in: file).first?[0]
            let chunks = file.components(separatedBy: "func ").dropFirst()
            for chunk in chunks {
                guard let name = matches(#"^(\w+)"#, in: chunk).first?[0] else { continue }
                var actions: Set<String> = []
                if let service = fileService.flatMap({ prefixes[$0] }) {
                    for match in matches(#"op\("(\w+)"\)"#, in: chunk) { actions.insert("\(service):\(match[0])") }
                }
                for match in matches(#"AWSOperation<[^>]*>\(\s*\.(\w+),\s*"(\w+)"\)"#, in: chunk) {
                    actions.insert("\(prefixes[match[0]] ?? match[0]):\(match[1])")
                }
                // REST (S3): `client.send(.s3, operation: "GetObject", …)`.
                for match in matches(#"send\(\s*\.(\w+),\s*operation:\s*"(\w+)""#, in: chunk) {
                    let action = "\(prefixes[match[0]] ?? match[0]):\(match[1])"
                    actions.insert(actionNames[action] ?? action)
                }
                if !actions.isEmpty { result[name, default: []].formUnion(actions) }
            }
        }
        return result
    }

    @Test func thePolicyGrantsExactlyTheOperationsCesCodeSends() throws {
        let byMethod = try Self.operationsByMethod()
        #expect(byMethod["modifyRule"] == ["elasticloadbalancing:ModifyRule"], "the derivation reads the AWS layer: \(byMethod.keys.sorted())")
        let ownCode = try ["Sources/AWSCore", "Sources/Deployment", "Sources/DeploymentAWS", "Sources/CECommands", "Sources/ce"].flatMap(Self.swiftFiles)
            .joined(separator: "\n")
        var sent: Set<String> = []
        for (method, actions) in byMethod where ownCode.contains(".\(method)(") { sent.formUnion(actions) }
        #expect(sent.contains("elasticloadbalancing:RegisterTargets") && sent.contains("ssm:PutParameter") && sent.contains("ec2:DescribeInstances"))
        #expect(!sent.contains("elasticloadbalancing:CreateRule"), "the AWS layer can create rules (for tests); ce never does")
        let granted = IAMPolicy.actions.union(IAMPolicy.sourceIdentityActions).subtracting(IAMPolicy.impliedActions)
        #expect(granted.subtracting(sent).isEmpty, "granted but never sent: \(granted.subtracting(sent).sorted())")
        #expect(sent.subtracting(granted).isEmpty, "sent but not granted: \(sent.subtracting(granted).sorted())")
    }

    @Test func resourcesAreTheEnvironmentsOwn() throws {
        let configuration = DeploymentConfiguration.builtIn
        let policy = IAMPolicy.make(environments: [try configuration.environment("prod")], region: "us-east-1", account: "123456789012")
        let byId = Dictionary(uniqueKeysWithValues: policy.statements.map { ($0.sid, $0) })
        #expect(byId["ReadTheEnvironments"]?.resources == ["*"])
        #expect(byId["MoveTraffic"]?.resources == [
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/GccExplorerApp/*",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/GccExplorerApp/*",
        ])
        #expect(byId["SwitchInstances"]?.resources == [
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/Prod-Blue/*",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/Prod-Green/*",
        ])
        #expect(byId["SizeTheColours"]?.resources == [
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/prod-blue",
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/prod-green",
        ])
        #expect(byId["ContractJournalAndLock"]?.resources == ["arn:aws:ssm:us-east-1:123456789012:parameter/compiler-explorer/prod/*"])
        let all = IAMPolicy.make(environments: Array(configuration.environments.values), region: nil, account: nil)
        #expect(all.statements.first { $0.sid == "SizeTheColours" }?.resources.count == 18, "both colours of nine environments")
        #expect(all.statements.first { $0.sid == "MoveTraffic" }?.resources.isNonEmptyAndAll { $0.hasPrefix("arn:aws:elasticloadbalancing:*:*:") } == true)
    }
}
