import AWSCore
import AWSServices
import CETestSupport
import Foundation
import Testing
import TestPredicates

/// S3 over REST-XML against moto: path-style requests signed with the payload's SHA-256, objects written, read and
/// listed by version, and S3's error shape (code, message, request id) kept.
@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct S3IntegrationTests {
    let s3 = Moto.services.s3

    func bucket(_ tag: String) -> String { "ce-\(Moto.uniquePrefix(tag))builds".lowercased() }

    @Test func objectsAreWrittenReadAndListedByVersion() async throws {
        let bucket = bucket("s3v")
        try await s3.createBucket(bucket)
        #expect(try await s3.isVersioned(bucket: bucket) == false)
        try await s3.enableVersioning(bucket)
        #expect(try await s3.isVersioned(bucket: bucket) == true)
        // A key with spaces, a plus and a non-ASCII letter: encoded once in the URL, as it was signed.
        let key = "beta/green build+ሴ/version"
        var ids: [String] = []
        for build in ["v1", "v2", "v3"] {
            ids.append(try #require(try await s3.putObject(bucket: bucket, key: key, body: Data("\(build)\n".utf8))))
        }
        #expect(try await s3.getObject(bucket: bucket, key: key) == Data("v3\n".utf8))
        #expect(try await s3.getObjectVersion(bucket: bucket, key: key, versionId: ids[0]) == Data("v1\n".utf8))
        let versions = try await s3.listObjectVersions(bucket: bucket, prefix: "beta/")
        #expect(Set(versions.map(\.versionId)) == Set(ids) && versions.isNonEmptyAndAll { $0.key == key })
        #expect(versions.filter(\.isLatest).map(\.versionId) == [ids[2]])
        #expect(try await s3.getObject(bucket: bucket, key: "beta/blue/version") == nil, "a missing key is no value, not an error")
    }

    @Test func errorsKeepS3sCodeMessageAndRequestId() async throws {
        let missing = bucket("s3e")
        let error = await expectServiceError("NoSuchBucket") { _ = try await s3.getObject(bucket: missing, key: "x") }
        #expect(error?.service == "S3" && error?.operation == "GetObject" && error?.httpStatus == 404)
        #expect(error?.message.isEmpty == false, "\(String(describing: error))")
    }
}
