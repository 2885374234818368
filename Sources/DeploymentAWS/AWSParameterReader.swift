import AWSServices
import Deployment
import Foundation

/// `ParameterReader` on SSM Parameter Store (GetParameters, 10 names per call) — and, for builds kept in S3
/// (`builds: s3://…`, names `s3://bucket/key`), the objects' contents (GetObject, concurrently; a missing object is
/// an unset value).
public struct AWSParameterReader: ParameterReader {
    public let ssm: SSM

    public init(ssm: SSM) {
        self.ssm = ssm
    }

    public func values(names: [String]) async throws -> [String: String] {
        let objects = names.filter { BuildStore.s3Object($0) != nil }
        let parameters = names.filter { BuildStore.s3Object($0) == nil }
        var values: [String: String] = [:]
        if !parameters.isEmpty {
            let (found, _) = try await ssm.getParameters(names: parameters)
            values = Dictionary(found.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        }
        let s3 = S3(client: ssm.client)
        try await withThrowingTaskGroup(of: (String, String?).self) { group in
            for name in objects {
                group.addTask {
                    let (bucket, key) = BuildStore.s3Object(name)!
                    let body = try await s3.getObject(bucket: bucket, key: key)
                    return (name, body.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) })
                }
            }
            for try await (name, value) in group { if let value { values[name] = value } }
        }
        return values
    }
}
