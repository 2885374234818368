import AWSCore
import Foundation

/// SSM Parameter Store: the operations `ce` uses.
public struct SSM: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    typealias Op<I: Encodable & Sendable, O: Decodable & Sendable> = AWSOperation<I, O>
    static func op<I, O>(_ name: String) -> AWSOperation<I, O> { AWSOperation(.ssm, name) }

    /// Throws `AWSServiceError` with code `ParameterNotFound` when the name does not exist.
    public func getParameter(name: String, withDecryption: Bool = true) async throws -> Parameter {
        try await client.call(
            Self.op("GetParameter") as Op<_, GetParameterOutput>,
            GetParameterInput(name: name, withDecryption: withDecryption)
        ).parameter
    }

    /// Up to 10 names per call; more are split. Returns the parameters found and the names that were not.
    public func getParameters(names: [String], withDecryption: Bool = true) async throws
        -> (parameters: [Parameter], invalid: [String])
    {
        var parameters: [Parameter] = []
        var invalid: [String] = []
        for start in stride(from: 0, to: names.count, by: 10) {
            let page = try await client.call(
                Self.op("GetParameters") as Op<_, GetParametersOutput>,
                GetParametersInput(names: Array(names[start..<min(start + 10, names.count)]), withDecryption: withDecryption))
            parameters += page.parameters ?? []
            invalid += page.invalidParameters ?? []
        }
        return (parameters, invalid)
    }

    /// Writes a parameter; with `overwrite: false` the call fails with `ParameterAlreadyExists` if it exists, which
    /// makes it an atomic create. Returns the new version.
    @discardableResult
    public func putParameter(_ input: PutParameterInput) async throws -> Int {
        try await client.call(Self.op("PutParameter") as Op<_, PutParameterOutput>, input).version
    }

    public func deleteParameter(name: String) async throws {
        _ = try await client.call(Self.op("DeleteParameter") as Op<_, EmptyOutput>, NameInput(name: name))
    }

    /// All versions still kept (the last 100), oldest first.
    public func getParameterHistory(name: String, withDecryption: Bool = true) async throws -> [ParameterHistory] {
        try await client.paginate(
            Self.op("GetParameterHistory") as Op<_, GetParameterHistoryOutput>,
            GetParameterHistoryInput(name: name, withDecryption: withDecryption, maxResults: 50)
        ).flatMap { $0.parameters ?? [] }
    }

    /// All parameters under `path`, all pages.
    public func getParametersByPath(path: String, recursive: Bool = true, withDecryption: Bool = true) async throws
        -> [Parameter]
    {
        try await client.paginate(
            Self.op("GetParametersByPath") as Op<_, GetParametersByPathOutput>,
            GetParametersByPathInput(path: path, recursive: recursive, withDecryption: withDecryption, maxResults: 10)
        ).flatMap { $0.parameters ?? [] }
    }

    /// Attaches labels to a version (the latest when `version` is `nil`). Returns labels that were refused.
    @discardableResult
    public func labelParameterVersion(name: String, version: Int? = nil, labels: [String]) async throws -> [String] {
        try await client.call(
            Self.op("LabelParameterVersion") as Op<_, LabelParameterVersionOutput>,
            LabelParameterVersionInput(name: name, parameterVersion: version, labels: labels)
        ).invalidLabels ?? []
    }
}

public struct Parameter: Decodable, Sendable, Hashable {
    public var name: String
    public var type: String?
    public var value: String
    public var version: Int?
    public var lastModifiedDate: Date?
    public var dataType: String?
}

public struct ParameterHistory: Decodable, Sendable, Hashable {
    public var name: String
    public var type: String?
    public var value: String?
    public var version: Int
    public var lastModifiedDate: Date?
    public var lastModifiedUser: String?
    public var description: String?
    public var labels: [String]?
}

public struct PutParameterInput: Encodable, Sendable {
    public var name: String
    public var value: String
    public var type: String?
    public var overwrite: Bool
    public var description: String?

    public init(name: String, value: String, type: String? = "String", overwrite: Bool, description: String? = nil) {
        self.name = name
        self.value = value
        self.type = type
        self.overwrite = overwrite
        self.description = description
    }
}

struct GetParameterInput: Encodable, Sendable {
    var name: String
    var withDecryption: Bool
}

struct GetParameterOutput: Decodable, Sendable {
    var parameter: Parameter
}

struct GetParametersInput: Encodable, Sendable {
    var names: [String]
    var withDecryption: Bool
}

struct GetParametersOutput: Decodable, Sendable {
    var parameters: [Parameter]?
    var invalidParameters: [String]?
}

struct PutParameterOutput: Decodable, Sendable {
    var version: Int
}

struct NameInput: Encodable, Sendable {
    var name: String
}

struct GetParameterHistoryInput: NextTokenPaginatedInput {
    var name: String
    var withDecryption: Bool
    var maxResults: Int?
    var nextToken: String?
}

struct GetParameterHistoryOutput: NextTokenPaginatedOutput {
    var parameters: [ParameterHistory]?
    var nextToken: String?
}

struct GetParametersByPathInput: NextTokenPaginatedInput {
    var path: String
    var recursive: Bool
    var withDecryption: Bool
    var maxResults: Int?
    var nextToken: String?
}

struct GetParametersByPathOutput: NextTokenPaginatedOutput {
    var parameters: [Parameter]?
    var nextToken: String?
}

struct LabelParameterVersionInput: Encodable, Sendable {
    var name: String
    var parameterVersion: Int?
    var labels: [String]
}

struct LabelParameterVersionOutput: Decodable, Sendable {
    var invalidLabels: [String]?
    var parameterVersion: Int?
}
