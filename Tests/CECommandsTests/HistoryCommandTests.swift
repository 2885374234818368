import CETestSupport
import Foundation
import Testing

/// `environment history`: every mutating command that took the lock leaves a record in AWS — who, when, what, with
/// what outcome and, for a deploy, the strategy, colours, build and step durations — read back newest first.
struct HistoryCommandTests {
    let home: String
    init() throws { home = try CLI.temporaryHome() }

    func ce(_ arguments: String) throws -> CLI.Result {
        try CLI.run(arguments.split(separator: " ").map(String.init), environment: CLI.environment(home: home, ["CE_SANDBOX_DIR": home + "/sandbox", "USER": "tester"]))
    }

    @Test func eachKindOfOperationLeavesARecord() throws {
        #expect(try ce("sandbox reset").status == 0)
        #expect(try ce("--sandbox --env beta environment history").stdout == "beta: no history yet (/compiler-explorer/beta/history/ is empty).\n")
        #expect(try ce("--sandbox --env beta environment refresh --version v2").status == 0)
        #expect(try ce("--sandbox --env beta environment rollback").status == 0)
        #expect(try ce("--sandbox --env beta environment cleanup --yes").status == 2, "too soon after the rollback: refused, so no record")
        #expect(try ce("--sandbox --env beta environment refresh --version v1").status == 2, "refused before the lock: no record")
        #expect(try ce("--sandbox --env beta environment cleanup --yes --force").status == 0)
        #expect(try ce("--sandbox --env beta environment recover --yes").stdout.contains("nothing to recover"), "nothing done: no record")

        let text = try ce("--sandbox --env beta environment history").stdout
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("20") }
        #expect(lines.count == 3, "\(text)")
        #expect(lines[0].contains(" cleanup   done ") && lines[0].contains("blue serves"), "newest first: \(text)")
        #expect(lines[1].contains(" rollback  done ") && lines[1].contains("blue serves"), "\(text)")
        #expect(lines[2].contains(" refresh   done ") && lines[2].contains("blue-green blue → green v2"), "\(text)")
        #expect(text.contains("by tester@"))

        let json = try ce("--sandbox --env beta environment history --limit 2 -o json").stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let records = try #require(document["records"] as? [[String: Any]])
        #expect(records.count == 2 && document["environment"] as? String == "beta")
        #expect(Set(records[0].keys) == [
            "at", "by", "identity", "operation", "environment", "outcome", "exitCode", "seconds", "deployment", "strategy", "from", "to", "build",
            "serving", "steps", "error",
        ])
        #expect(records[0]["operation"] as? String == "cleanup" && records[0]["exitCode"] as? Int == 0 && records[0]["identity"] as? String == "sandbox")
        #expect(records[0]["error"] is NSNull && records[0]["deployment"] is NSNull, "a cleanup writes no deployment")
        #expect((records[0]["steps"] as? [[String: Any]])?.first?["name"] as? String == "proof")
        let all = try #require(try JSONSerialization.jsonObject(with: Data(try ce("--sandbox --env beta environment history -o json").stdout.utf8)) as? [String: Any])
        let deploy = try #require((all["records"] as? [[String: Any]])?.last)
        #expect(deploy["strategy"] as? String == "blue-green" && deploy["build"] as? String == "v2" && (deploy["deployment"] as? String)?.hasPrefix("d-") == true)
        #expect((deploy["steps"] as? [[String: Any]])?.contains { $0["name"] as? String == "health gate" } == true, "the deploy's step durations")
        #expect(try ce("--sandbox --env beta environment history --limit 0").status == 64)
    }

    /// `builds set-current` writes no deployment: its record names the build it set (issue 19 §13).
    @Test func setCurrentRecordsTheBuildItSet() throws {
        #expect(try ce("sandbox reset").status == 0)
        #expect(try ce("--sandbox --env beta builds set-current v9 --yes").status == 0)
        let text = try ce("--sandbox --env beta environment history").stdout
        #expect(text.contains("builds set-current") && text.contains("next build v9"), "\(text)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try ce("--sandbox --env beta environment history -o json").stdout.utf8)) as? [String: Any])
        #expect((json["records"] as? [[String: Any]])?.first?["build"] as? String == "v9")
    }

}

/// The history on moto: records written with PutParameter below `{prefix}history/`, read with GetParametersByPath,
/// naming the caller identity.
@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct HistoryMotoTests {
    @Test func aDeployOnMotoIsRecordedWithTheCallerIdentity() async throws {
        let layout = try Moto.layout("hist", envs: ["prod", "beta"], crowded: true)
        let home = try CLI.temporaryHome()
        try layout.config().write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]
        func ce(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!, "--env", "beta"] + arguments, environment: CLI.environment(home: home, keys))
        }
        #expect(try ce(["environment", "refresh", "--version", "v2"]).status == 0)
        let history = try ce(["environment", "history", "-o", "json"])
        #expect(history.status == 0, "\(history.all)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])
        let record = try #require((document["records"] as? [[String: Any]])?.first)
        #expect(record["operation"] as? String == "refresh" && record["outcome"] as? String == "done" && record["build"] as? String == "v2")
        #expect((record["identity"] as? String)?.hasPrefix("arn:aws:") == true, "the caller identity: \(record)")
        let stored = try await Moto.services.ssm.getParametersByPath(path: layout.environments["beta"]!.ssmPrefix + "history")
        #expect(stored.count == 1)
    }
}
