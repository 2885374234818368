import AWSServices
import Deployment

/// `ParameterReader` on SSM Parameter Store (GetParameters, 10 names per call).
public struct AWSParameterReader: ParameterReader {
    public let ssm: SSM

    public init(ssm: SSM) {
        self.ssm = ssm
    }

    public func values(names: [String]) async throws -> [String: String] {
        let (parameters, _) = try await ssm.getParameters(names: names)
        return Dictionary(parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}
