import AWSCore
import AWSServices
import Deployment

/// `DocumentStore` on SSM: PutParameter with Overwrite=false is the atomic create.
public struct SSMDocumentStore: DocumentStore {
    public let ssm: SSM

    public init(ssm: SSM) {
        self.ssm = ssm
    }

    public func create(name: String, value: String) async throws -> Bool {
        do {
            try await ssm.putParameter(.init(name: name, value: value, overwrite: false, description: "ce"))
            return true
        } catch let error as AWSServiceError where error.code == "ParameterAlreadyExists" {
            return false
        }
    }

    public func read(name: String) async throws -> String? {
        try await ssm.getParameters(names: [name]).parameters.first?.value
    }

    public func overwrite(name: String, value: String) async throws {
        try await ssm.putParameter(.init(name: name, value: value, overwrite: true))
    }

    public func list(path: String) async throws -> [String: String] {
        Dictionary(try await ssm.getParametersByPath(path: path).map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    public func delete(name: String) async throws {
        do {
            try await ssm.deleteParameter(name: name)
        } catch let error as AWSServiceError where error.code == "ParameterNotFound" {
            return
        }
    }
}
