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

/// An input paged by `NextToken` (Auto Scaling, SSM, CloudWatch, EC2).
public protocol NextTokenPaginatedInput: PaginatedInput {
    var nextToken: String? { get set }
}

extension NextTokenPaginatedInput {
    public var paginationToken: String? {
        get { nextToken }
        set { nextToken = newValue }
    }
}

/// An input paged by `Marker` (ELBv2).
public protocol MarkerPaginatedInput: PaginatedInput {
    var marker: String? { get set }
}

extension MarkerPaginatedInput {
    public var paginationToken: String? {
        get { marker }
        set { marker = newValue }
    }
}

/// An output whose next page is `NextToken`.
public protocol NextTokenPaginatedOutput: PaginatedOutput {
    var nextToken: String? { get }
}

extension NextTokenPaginatedOutput {
    public var nextPaginationToken: String? { nextToken }
}

/// An output whose next page is `NextMarker`.
public protocol NextMarkerPaginatedOutput: PaginatedOutput {
    var nextMarker: String? { get }
}

extension NextMarkerPaginatedOutput {
    public var nextPaginationToken: String? { nextMarker }
}
