import AWSCore
import Foundation

/// S3 (REST-XML): the objects that name a build, where an environment keeps its builds in S3 (`builds:`).
public struct S3: Sendable {
    public let client: AWSClient

    public init(client: AWSClient) {
        self.client = client
    }

    /// The object's content, or `nil` when there is no such key (`NoSuchKey`).
    public func getObject(bucket: String, key: String) async throws -> Data? {
        do {
            return try await client.send(.s3, operation: "GetObject", RESTRequest(method: "GET", bucket: bucket, key: key)).body
        } catch let error as AWSServiceError where error.code == "NoSuchKey" {
            return nil
        }
    }

    /// One version's content (a versioned bucket), or `nil` when there is no such key or version.
    public func getObjectVersion(bucket: String, key: String, versionId: String) async throws -> Data? {
        do {
            return try await client.send(
                .s3, operation: "GetObjectVersion", RESTRequest(method: "GET", bucket: bucket, key: key, query: [("versionId", versionId)])).body
        } catch let error as AWSServiceError where error.code == "NoSuchKey" || error.code == "NoSuchVersion" {
            return nil
        }
    }

    /// Writes the object; its version id when the bucket is versioned.
    @discardableResult
    public func putObject(bucket: String, key: String, body: Data, contentType: String = "text/plain") async throws -> String? {
        let response = try await client.send(
            .s3, operation: "PutObject",
            RESTRequest(method: "PUT", bucket: bucket, key: key, headers: [("Content-Type", contentType)], body: body))
        return response.header("x-amz-version-id")
    }

    /// Whether the bucket keeps versions (`Enabled`); `Suspended` or never enabled is not.
    public func isVersioned(bucket: String) async throws -> Bool {
        let response = try await client.send(.s3, operation: "GetBucketVersioning", RESTRequest(method: "GET", bucket: bucket, query: [("versioning", "")]))
        return try AWSClient.decodeXML(VersioningConfiguration.self, response, service: .s3, operation: "GetBucketVersioning").status == "Enabled"
    }

    /// Creates a bucket in the client's region (set-up and tests; ce itself never creates one).
    public func createBucket(_ bucket: String) async throws {
        let region = client.region
        let body = region == "us-east-1" ? Data()
            : Data("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>".utf8)
        _ = try await client.send(.s3, operation: "CreateBucket", RESTRequest(method: "PUT", bucket: bucket, body: body))
    }

    /// Turns versioning on (set-up and tests).
    public func enableVersioning(_ bucket: String) async throws {
        let body = Data("<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>Enabled</Status></VersioningConfiguration>".utf8)
        _ = try await client.send(.s3, operation: "PutBucketVersioning", RESTRequest(method: "PUT", bucket: bucket, query: [("versioning", "")], body: body))
    }

    /// Every version of the objects under `prefix`, newest first per key, all pages.
    public func listObjectVersions(bucket: String, prefix: String) async throws -> [ObjectVersion] {
        var versions: [ObjectVersion] = []
        var marker: (key: String, version: String)?
        for _ in 0..<100 {
            var query: [(name: String, value: String)] = [("versions", ""), ("prefix", prefix)]
            if let marker { query += [("key-marker", marker.key), ("version-id-marker", marker.version)] }
            let response = try await client.send(.s3, operation: "ListObjectVersions", RESTRequest(method: "GET", bucket: bucket, query: query))
            let page = try AWSClient.decodeXML(ListVersionsResult.self, response, service: .s3, operation: "ListObjectVersions")
            versions += page.version ?? []
            guard page.isTruncated == true, let key = page.nextKeyMarker, let version = page.nextVersionIdMarker else { return versions }
            marker = (key, version)
        }
        return versions
    }
}

struct VersioningConfiguration: Decodable {
    var status: String?
}

/// `<ListVersionsResult>`: the versions (delete markers are not listed).
struct ListVersionsResult: Decodable {
    var isTruncated: Bool?
    var nextKeyMarker: String?
    var nextVersionIdMarker: String?
    var version: [ObjectVersion]?
}

/// One version of an object.
public struct ObjectVersion: Decodable, Sendable, Equatable {
    public var key: String
    public var versionId: String
    public var isLatest: Bool
    public var lastModified: Date
    public var size: Int?
}
