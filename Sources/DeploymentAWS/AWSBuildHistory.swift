import AWSCore
import AWSServices
import Deployment
import Foundation

/// `BuildHistoryReader` on AWS: SSM's parameter history (GetParameterHistory: who — the caller's ARN — and when),
/// or for a build kept in S3 the object's versions (ListObjectVersions, then GetObjectVersion for each value shown;
/// S3 does not say who wrote a version). An S3 bucket without versioning keeps only the current value.
public struct AWSBuildHistory: BuildHistoryReader {
    let ssm: SSM

    public init(ssm: SSM) {
        self.ssm = ssm
    }

    public func history(of name: String, limit: Int) async throws -> (records: [BuildRecord], keepsHistory: Bool) {
        if let (bucket, key) = BuildStore.s3Object(name) { return try await s3History(bucket: bucket, key: key, limit: limit) }
        let history: [ParameterHistory]
        do {
            history = try await ssm.getParameterHistory(name: name)
        } catch let error as AWSServiceError where error.code == "ParameterNotFound" {
            return ([], true)
        }
        let records = history.sorted { $0.version > $1.version }.prefix(limit).map {
            BuildRecord(build: $0.value ?? "", at: $0.lastModifiedDate, by: $0.lastModifiedUser, version: String($0.version))
        }
        return (Array(records), true)
    }

    func s3History(bucket: String, key: String, limit: Int) async throws -> (records: [BuildRecord], keepsHistory: Bool) {
        let s3 = S3(client: ssm.client)
        let versioned = try await s3.isVersioned(bucket: bucket)
        let versions = try await s3.listObjectVersions(bucket: bucket, prefix: key).filter { $0.key == key }.sorted { $0.lastModified > $1.lastModified }
        var records: [BuildRecord] = []
        for version in versions.prefix(limit) {
            let body = version.versionId == "null"
                ? try await s3.getObject(bucket: bucket, key: key) : try await s3.getObjectVersion(bucket: bucket, key: key, versionId: version.versionId)
            guard let body else { continue }
            records.append(.init(
                build: String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), at: version.lastModified, by: nil,
                version: version.versionId))
        }
        return (records, versioned)
    }
}
