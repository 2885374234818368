import Deployment
import Foundation

/// The values a build name held in the simulated store, newest first; written by the sandbox's user.
extension SimulatedCloud: BuildHistoryReader {
    public func history(of name: String, limit: Int) async throws -> (records: [BuildRecord], keepsHistory: Bool) {
        let parameter = read { $0.parameters[name] }
        let written = parameter?.history ?? parameter.map { [.init(value: $0.value, version: $0.version, at: read { $0.start })] } ?? []
        return (written.reversed().prefix(limit).map { BuildRecord(build: $0.value, at: $0.at, by: "sandbox", version: String($0.version)) }, true)
    }
}
