import AWSCore
import Foundation

/// EC2: instance descriptions (private IPs for the HTTP health gate, states, tags).
public struct EC2: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    /// All pages; instances of all reservations. Up to 1000 ids per call; more are split.
    public func describeInstances(instanceIds: [String] = [], filters: [EC2Filter] = []) async throws -> [EC2Instance] {
        let op = AWSOperation<DescribeInstancesInput, DescribeInstancesOutput>(.ec2, "DescribeInstances")
        let batches: [[String]] =
            instanceIds.isEmpty
            ? [[]] : stride(from: 0, to: instanceIds.count, by: 1000).map { Array(instanceIds[$0..<min($0 + 1000, instanceIds.count)]) }
        var result: [EC2Instance] = []
        for batch in batches {
            let input = DescribeInstancesInput(
                instanceIds: batch, filters: filters, maxResults: batch.isEmpty ? 1000 : nil)
            result += try await client.paginate(op, input).flatMap { $0.reservations.flatMap(\.instances) }
        }
        return result
    }
}

public struct EC2Filter: Encodable, Sendable {
    public var name: String
    public var values: [String]
    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
    enum CodingKeys: String, CodingKey {
        case name = "Name", values = "Value"
    }
}

public struct EC2Instance: Decodable, Sendable, Hashable {
    public var instanceId: String
    public var imageId: String?
    public var instanceType: String?
    public var privateIpAddress: String?
    public var publicIpAddress: String?
    public var launchTime: Date?
    public var state: State?
    public var placement: Placement?
    @QueryList public var tags: [EC2Tag]

    public struct State: Decodable, Sendable, Hashable {
        public var code: Int?
        /// `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`.
        public var name: String?
    }

    public struct Placement: Decodable, Sendable, Hashable {
        public var availabilityZone: String?
    }

    public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }

    enum CodingKeys: String, CodingKey {
        case instanceId, imageId, instanceType, privateIpAddress, ipAddress, launchTime, state = "instanceState",
            placement, tags = "tagSet"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        instanceId = try c.decode(String.self, forKey: .instanceId)
        imageId = try c.decodeIfPresent(String.self, forKey: .imageId)
        instanceType = try c.decodeIfPresent(String.self, forKey: .instanceType)
        privateIpAddress = try c.decodeIfPresent(String.self, forKey: .privateIpAddress)
        publicIpAddress = try c.decodeIfPresent(String.self, forKey: .ipAddress)
        launchTime = try c.decodeIfPresent(Date.self, forKey: .launchTime)
        state = try c.decodeIfPresent(State.self, forKey: .state)
        placement = try c.decodeIfPresent(Placement.self, forKey: .placement)
        _tags = try c.decode(QueryList<EC2Tag>.self, forKey: .tags)
    }
}

public struct EC2Tag: Codable, Sendable, Hashable {
    public var key: String
    public var value: String?
}

struct DescribeInstancesInput: NextTokenPaginatedInput {
    var instanceIds: [String]
    var filters: [EC2Filter]
    var maxResults: Int?
    var nextToken: String?
    enum CodingKeys: String, CodingKey {
        case instanceIds = "InstanceId", filters = "Filter", maxResults = "MaxResults", nextToken = "NextToken"
    }
}

struct DescribeInstancesOutput: NextTokenPaginatedOutput {
    @QueryList var reservations: [Reservation]
    var nextToken: String?

    struct Reservation: Decodable, Sendable {
        var reservationId: String?
        @QueryList var instances: [EC2Instance]
        enum CodingKeys: String, CodingKey {
            case reservationId, instances = "instancesSet"
        }
    }

    enum CodingKeys: String, CodingKey {
        case reservations = "reservationSet", nextToken
    }
}
