/// One API operation of one service, with its typed input and output.
public struct AWSOperation<Input: Encodable & Sendable, Output: Decodable & Sendable>: Sendable {
    public var service: AWSServiceDescriptor
    /// The API name, e.g. `DescribeTargetGroups`.
    public var name: String

    public init(_ service: AWSServiceDescriptor, _ name: String) {
        self.service = service
        self.name = name
    }
}

/// An input that can ask for a later page (`Marker` or `NextToken`, depending on the operation).
public protocol PaginatedInput: Encodable, Sendable {
    var paginationToken: String? { get set }
}

/// An output that can say there is another page.
public protocol PaginatedOutput: Decodable, Sendable {
    var nextPaginationToken: String? { get }
}
