import AWSCore
import AWSServices
import CETestSupport
import Foundation
import Testing

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct SSMIntegrationTests {
    let ssm = Moto.services.ssm
    let prefix = "/\(Moto.uniquePrefix("param"))compiler-explorer/beta/"

    @Test func putGetOverwriteAndHistory() async throws {
        let name = prefix + "version"
        #expect(try await ssm.putParameter(.init(name: name, value: "v1", overwrite: false)) == 1)
        #expect(try await ssm.putParameter(.init(name: name, value: "v2", overwrite: true)) == 2)
        let parameter = try await ssm.getParameter(name: name)
        #expect(parameter.value == "v2")
        #expect(parameter.version == 2)
        #expect(parameter.lastModifiedDate != nil)

        let history = try await ssm.getParameterHistory(name: name)
        #expect(history.map(\.value) == ["v1", "v2"])
        #expect(history.map(\.version) == [1, 2])
    }

    @Test func createWithoutOverwriteIsAnAtomicCreate() async throws {
        let name = prefix + "deploy-lock"
        try await ssm.putParameter(.init(name: name, value: #"{"holder":"a"}"#, overwrite: false))
        await expectServiceError("ParameterAlreadyExists") {
            try await ssm.putParameter(.init(name: name, value: #"{"holder":"b"}"#, overwrite: false))
        }
        #expect(try await ssm.getParameter(name: name).value == #"{"holder":"a"}"#)
    }

    @Test func missingParameterIsATypedError() async throws {
        let error = await expectServiceError("ParameterNotFound") { _ = try await ssm.getParameter(name: prefix + "nothing") }
        #expect(error?.service == "SSM")
        #expect(error?.operation == "GetParameter")
        #expect(error?.httpStatus == 400)
    }

    @Test func getParametersSplitsFoundAndInvalid() async throws {
        let names = (0..<12).map { prefix + "many/p\($0)" }
        for name in names { try await ssm.putParameter(.init(name: name, value: name, overwrite: true)) }
        let (found, invalid) = try await ssm.getParameters(names: names + [prefix + "many/absent"])
        #expect(Set(found.map(\.name)) == Set(names))
        #expect(invalid == [prefix + "many/absent"])
    }

    @Test func getParametersByPathPaginates() async throws {
        let names = (0..<23).map { prefix + "tree/\($0 % 2 == 0 ? "blue" : "green")/p\($0)" }
        for name in names { try await ssm.putParameter(.init(name: name, value: "x", overwrite: true)) }
        let all = try await ssm.getParametersByPath(path: prefix + "tree")
        #expect(Set(all.map(\.name)) == Set(names))
        let shallow = try await ssm.getParametersByPath(path: prefix + "tree", recursive: false)
        #expect(shallow.isEmpty)
    }

    @Test func deleteParameter() async throws {
        let name = prefix + "gone"
        try await ssm.putParameter(.init(name: name, value: "x", overwrite: false))
        try await ssm.deleteParameter(name: name)
        await expectServiceError("ParameterNotFound") { _ = try await ssm.getParameter(name: name) }
        await expectServiceError("ParameterNotFound") { try await ssm.deleteParameter(name: name) }
    }

    @Test func labelsParameterVersions() async throws {
        let name = prefix + "labelled"
        try await ssm.putParameter(.init(name: name, value: "v1", overwrite: true))
        try await ssm.putParameter(.init(name: name, value: "v2", overwrite: true))
        let invalid = try await ssm.labelParameterVersion(name: name, version: 1, labels: ["previous"])
        #expect(invalid.isEmpty)
        let history = try await ssm.getParameterHistory(name: name)
        #expect(history.first { $0.version == 1 }?.labels == ["previous"])
    }

    @Test func concurrentCreatesHaveExactlyOneWinner() async throws {
        let name = prefix + "race"
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    do {
                        try await ssm.putParameter(.init(name: name, value: "holder-\(index)", overwrite: false))
                        return true
                    } catch { return false }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
    }
}
