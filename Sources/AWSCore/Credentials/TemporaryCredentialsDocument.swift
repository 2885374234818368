import AWSSigner
import Foundation

/// The JSON document that the container and instance metadata endpoints return.
struct TemporaryCredentialsDocument: Decodable {
    var accessKeyId: String
    var secretAccessKey: String
    var token: String?
    var expiration: String?
    var code: String?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case accessKeyId = "AccessKeyId", secretAccessKey = "SecretAccessKey", token = "Token",
            expiration = "Expiration", code = "Code", message = "Message"
    }

    static func parse(_ data: Data, source: String) throws -> AWSCredentials {
        let document: TemporaryCredentialsDocument
        do {
            document = try JSONDecoder().decode(TemporaryCredentialsDocument.self, from: data)
        } catch {
            throw CredentialsError.sourceFailed(source: source, reason: "the credentials document is not valid JSON with AccessKeyId and SecretAccessKey")
        }
        if let code = document.code, code != "Success" {
            throw CredentialsError.sourceFailed(source: source, reason: "\(code): \(document.message ?? "")")
        }
        return AWSCredentials(
            accessKeyId: document.accessKeyId, secretAccessKey: document.secretAccessKey, sessionToken: document.token,
            expiration: document.expiration.flatMap(ISO8601DateFormatter.parseAWSDate))
    }
}
