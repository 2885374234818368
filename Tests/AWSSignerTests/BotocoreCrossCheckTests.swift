import Foundation
import Testing

@testable import AWSSigner

/// Signs many generated requests with both this signer and botocore's `SigV4Auth` (through
/// `botocore_signer.py`) and requires identical canonical requests, strings to sign and Authorization headers.
/// botocore is required: `.ci/run` installs it.
struct BotocoreCrossCheckTests {
    struct GeneratedRequest: Codable {
        var accessKeyId, secretAccessKey: String
        var sessionToken: String?
        var service, region, method, host, path, body: String
        var query, headers: [[String]]
        var epoch: Int
        /// S3's variant: the path taken as it is, `X-Amz-Content-Sha256` sent and signed.
        var s3 = false
    }
    struct BotocoreResult: Decodable {
        var canonicalRequest, stringToSign, authorization: String
    }

    /// SplitMix64: the same sequence on every run and platform.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func generate(count: Int, seed: UInt64) -> [GeneratedRequest] {
        var rng = SeededGenerator(state: seed)
        let alphabet = Array("abcXYZ019-_.~ /+=&%!*'()ሴé")
        let pathAlphabet = Array("abcXYZ019-_.~ +=&!*'()ሴé")
        func word(_ chars: [Character], _ range: ClosedRange<Int>) -> String {
            String((0..<Int.random(in: range, using: &rng)).map { _ in chars.randomElement(using: &rng)! })
        }
        return (0..<count).map { _ in
            let segments = (0..<Int.random(in: 0...4, using: &rng)).map { _ -> String in
                switch Int.random(in: 0..<8, using: &rng) {
                case 0: return "."
                case 1: return ".."
                default: return word(pathAlphabet, 1...8)
                }
            }
            var path = "/" + segments.joined(separator: "/")
            if Bool.random(using: &rng) && path != "/" { path += "/" }
            let query = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
                [word(alphabet, 1...6), word(alphabet, 0...10)]
            }
            let headerNames = ["X-Amz-Target", "Content-Type", "X-Custom", "x-custom", "My-Header", "Accept"]
            let headers = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                [headerNames.randomElement(using: &rng)!, word(Array("ab c\t 09:;,/"), 0...12)]
            }
            let method = ["GET", "POST", "PUT", "DELETE"].randomElement(using: &rng)!
            return GeneratedRequest(
                accessKeyId: "AKID" + word(Array("ABCDEFGHIJ0123456789"), 16...16),
                secretAccessKey: word(Array("abcdefghijKLMNOP0123456789/+"), 40...40),
                sessionToken: Bool.random(using: &rng) ? word(Array("abcXYZ0189/+="), 20...60) : nil,
                service: ["elasticloadbalancing", "autoscaling", "ssm", "monitoring", "ec2", "sts"]
                    .randomElement(using: &rng)!,
                region: ["us-east-1", "eu-west-2", "ap-southeast-2"].randomElement(using: &rng)!,
                method: method,
                host: ["elasticloadbalancing.us-east-1.amazonaws.com", "127.0.0.1:5000", "ssm.eu-west-2.amazonaws.com"]
                    .randomElement(using: &rng)!,
                path: path,
                body: method == "GET" ? "" : word(alphabet, 0...40),
                query: query, headers: headers,
                epoch: Int.random(in: 1_400_000_000...1_900_000_000, using: &rng))
        }
    }

    static func botocoreSign(_ requests: [GeneratedRequest]) throws -> [BotocoreResult] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("botocore_signer.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [ProcessInfo.processInfo.environment["PYTHON"] ?? "python3", script.path]
        let encoder = JSONEncoder()
        var lines = Data()
        for request in requests {
            lines.append(try encoder.encode(request))
            lines.append(0x0A)
        }
        // Input from a file, output through a pipe read to the end: no pipe-buffer deadlock.
        let inputURL = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-\(UUID().uuidString).jsonl")
        try lines.write(to: inputURL)
        defer { try? FileManager.default.removeItem(at: inputURL) }
        let output = Pipe()
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "botocore_signer.py failed; is botocore installed? (pip install botocore)"])
        }
        return try data.split(separator: 0x0A).map { try JSONDecoder().decode(BotocoreResult.self, from: Data($0)) }
    }

    /// S3 requests as `AWSClient.send` makes them: `/bucket/key` paths with any characters a key may hold (empty
    /// segments and trailing slashes included), `versionId`/`versions`/`prefix` queries, the payload hash header.
    static func generateS3(count: Int, seed: UInt64) -> [GeneratedRequest] {
        var rng = SeededGenerator(state: seed)
        let keyAlphabet = Array("abcXYZ019-_~ +=&!*'(),;:@$ሴé%")
        func word(_ chars: [Character], _ range: ClosedRange<Int>) -> String {
            String((0..<Int.random(in: range, using: &rng)).map { _ in chars.randomElement(using: &rng)! })
        }
        return (0..<count).map { _ in
            let segments = (0..<Int.random(in: 1...4, using: &rng)).map { _ in word(keyAlphabet, 0...10) }
            let path = "/ce-builds/" + segments.joined(separator: "/")
            let query: [[String]] = [[], [["versionId", word(Array("abcXYZ019._-"), 8...32)]], [["versions", ""], ["prefix", word(keyAlphabet, 0...8)]]]
                .randomElement(using: &rng)!
            let method = ["GET", "PUT"].randomElement(using: &rng)!
            return GeneratedRequest(
                accessKeyId: "AKID" + word(Array("ABCDEFGHIJ0123456789"), 16...16),
                secretAccessKey: word(Array("abcdefghijKLMNOP0123456789/+"), 40...40),
                sessionToken: Bool.random(using: &rng) ? word(Array("abcXYZ0189/+="), 20...60) : nil,
                service: "s3", region: ["us-east-1", "eu-west-2"].randomElement(using: &rng)!, method: method,
                host: ["s3.us-east-1.amazonaws.com", "ce-builds.s3.eu-west-2.amazonaws.com", "127.0.0.1:5000"].randomElement(using: &rng)!,
                path: path, body: method == "PUT" ? "gh-\(Int.random(in: 1...99999, using: &rng))\n" : "",
                query: query, headers: method == "PUT" ? [["Content-Type", "text/plain"]] : [],
                epoch: Int.random(in: 1_400_000_000...1_900_000_000, using: &rng), s3: true)
        }
    }

    @Test func s3RequestsSignLikeBotocore() throws {
        let requests = Self.generateS3(count: 300, seed: 20_261_130)
        let expected = try Self.botocoreSign(requests)
        try #require(expected.count == requests.count)
        var mismatches = 0
        for (request, botocore) in zip(requests, expected) {
            let result = SigV4Signer(service: request.service, region: request.region).sign(
                SignableRequest(
                    method: request.method, host: request.host, path: request.path, query: request.query.map { ($0[0], $0[1]) },
                    headers: request.headers.map { ($0[0], $0[1]) }, body: Data(request.body.utf8)),
                credentials: AWSCredentials(accessKeyId: request.accessKeyId, secretAccessKey: request.secretAccessKey, sessionToken: request.sessionToken),
                date: Date(timeIntervalSince1970: TimeInterval(request.epoch)), addContentSHA256Header: true, normalizePath: false)
            if result.canonicalRequest != botocore.canonicalRequest || result.authorization != botocore.authorization {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record("mismatch for \(request.method) \(request.path) query=\(request.query)\nours:\n\(result.canonicalRequest)\nbotocore:\n\(botocore.canonicalRequest)")
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func generatedRequestsSignLikeBotocore() throws {
        let requests = Self.generate(count: 500, seed: 20_261_126)
        let expected = try Self.botocoreSign(requests)
        try #require(expected.count == requests.count)
        var mismatches = 0
        for (request, botocore) in zip(requests, expected) {
            let signer = SigV4Signer(service: request.service, region: request.region)
            let result = signer.sign(
                SignableRequest(
                    method: request.method, host: request.host, path: request.path,
                    query: request.query.map { ($0[0], $0[1]) }, headers: request.headers.map { ($0[0], $0[1]) },
                    body: Data(request.body.utf8)),
                credentials: AWSCredentials(
                    accessKeyId: request.accessKeyId, secretAccessKey: request.secretAccessKey,
                    sessionToken: request.sessionToken),
                date: Date(timeIntervalSince1970: TimeInterval(request.epoch)))
            if result.canonicalRequest != botocore.canonicalRequest || result.authorization != botocore.authorization
                || result.stringToSign != botocore.stringToSign
            {
                mismatches += 1
                if mismatches <= 3 {
                    Issue.record(
                        "mismatch for \(request.method) \(request.path) query=\(request.query)\nours:\n\(result.canonicalRequest)\nbotocore:\n\(botocore.canonicalRequest)"
                    )
                }
            }
        }
        #expect(mismatches == 0)
    }
}
