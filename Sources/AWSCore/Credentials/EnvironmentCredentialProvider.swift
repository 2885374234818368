import AWSSigner
/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optional `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: OptionalCredentialProvider {
    public let environment: [String: String]
    public var name: String { "environment variables" }

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public func credentialsIfAvailable() async throws -> AWSCredentials? {
        let key = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        switch (key, secret) {
        case (nil, nil): return nil
        case (nil, _): throw CredentialsError.incompleteEnvironment(missing: "AWS_ACCESS_KEY_ID")
        case (_, nil): throw CredentialsError.incompleteEnvironment(missing: "AWS_SECRET_ACCESS_KEY")
        case (let key?, let secret?):
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token)
        }
    }
}
