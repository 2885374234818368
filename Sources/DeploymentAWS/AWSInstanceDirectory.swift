import AWSServices
import Deployment

/// `InstanceDirectory` on EC2 DescribeInstances (private IPs).
public struct AWSInstanceDirectory: InstanceDirectory {
    public let ec2: EC2

    public init(ec2: EC2) {
        self.ec2 = ec2
    }

    public func addresses(instanceIds: [String]) async throws -> [String: String] {
        guard !instanceIds.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for instance in try await ec2.describeInstances(instanceIds: instanceIds) {
            if let address = instance.privateIpAddress { result[instance.instanceId] = address }
        }
        return result
    }
}
