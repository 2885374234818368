import Foundation
import Testing

@testable import AWSSigner

/// The AWS SigV4 test suite, kept as data in `Vectors/sigv4-test-suite.json`.
struct SigV4TestSuiteTests {
    struct Suite: Decodable {
        struct KeyExample: Decodable {
            var secret, date, region, service, kDate, kSigning: String
        }
        struct Vector: Decodable, CustomTestStringConvertible {
            var name, method, path, body: String
            var query, headers: [[String]]
            var signPayload: Bool
            var sessionToken: String?
            var canonicalRequest, stringToSignHash, signature: String
            var testDescription: String { name }
        }
        var accessKeyId, secretAccessKey, region, service, date: String
        var signingKeyExample: KeyExample
        var vectors: [Vector]
    }

    static let suite: Suite = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Vectors/sigv4-test-suite.json")
        return try! JSONDecoder().decode(Suite.self, from: Data(contentsOf: url))
    }()

    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    @Test func suiteHasAllVectors() {
        #expect(Self.suite.vectors.count == 15)
        #expect(SigV4Signer.timestamp(Self.suiteDate) == "20150830T123600Z")
    }

    @Test(arguments: suite.vectors)
    func vector(_ vector: Suite.Vector) {
        let suite = Self.suite
        let signer = SigV4Signer(service: suite.service, region: suite.region)
        let request = SignableRequest(
            method: vector.method, host: "example.amazonaws.com", path: vector.path,
            query: vector.query.map { ($0[0], $0[1]) }, headers: vector.headers.map { ($0[0], $0[1]) },
            body: Data(vector.body.utf8))
        let credentials = AWSCredentials(
            accessKeyId: suite.accessKeyId, secretAccessKey: suite.secretAccessKey, sessionToken: vector.sessionToken)
        let result = signer.sign(
            request, credentials: credentials, date: Self.suiteDate, addContentSHA256Header: vector.signPayload)

        #expect(result.canonicalRequest == vector.canonicalRequest)
        #expect(
            result.stringToSign
                == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\(vector.stringToSignHash)")
        #expect(result.signature == vector.signature)
        let signedHeaders = vector.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false).dropLast().last!
        #expect(
            result.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(vector.signature)"
        )
    }

    @Test func signingKeyDerivationMatchesTheDocumentedExample() {
        let example = Self.suite.signingKeyExample
        let key = SigV4Signer.deriveSigningKey(
            secret: example.secret, day: example.date, region: example.region, service: example.service)
        #expect(key.withUnsafeBytes { SigV4Signer.hex(Array($0)) } == example.kSigning)
    }

    @Test func signingKeyIsCachedPerDayAndSecret() {
        let signer = SigV4Signer(service: "iam", region: "us-east-1")
        let a = signer.signingKey(secret: "one", day: "20120215")
        let b = signer.signingKey(secret: "one", day: "20120215")
        let c = signer.signingKey(secret: "two", day: "20120215")
        let d = signer.signingKey(secret: "one", day: "20120216")
        #expect(a == b)
        #expect(a != c)
        #expect(a != d)
        #expect(a == SigV4Signer.deriveSigningKey(secret: "one", day: "20120215", region: "us-east-1", service: "iam"))
    }

    @Test func credentialsNeverPrintTheirSecrets() {
        let credentials = AWSCredentials(
            accessKeyId: "AKIAABCDEFGHIJKLMNOP", secretAccessKey: "topsecretvalue", sessionToken: "tokenvalue")
        for text in [credentials.description, String(describing: credentials), String(reflecting: credentials)] {
            #expect(!text.contains("topsecretvalue"))
            #expect(!text.contains("tokenvalue"))
            #expect(!text.contains("AKIAABCDEFGHIJKL"))
            #expect(text.contains("MNOP"))
        }
    }

    @Test func timestampsAcrossCalendarEdges() {
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 1_798_761_599)) == "20261231T235959Z")
    }
}
