import AWSServices
import CETestSupport
import Foundation
import Testing
import TestPredicates

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct LockCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    func start(_ home: String, _ arguments: [String]) throws -> RunningCE {
        try RunningCE(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: home, keys))
    }

    @Test func fiveConcurrentRefreshesExactlyOneProceeds() async throws {
        let layout = try Moto.layout("lk5", envs: ["prod"])
        // A preview rule makes the gate read target health, so no instance address is ever probed.
        _ = try await Moto.services.elbv2.createRule(
            .init(listenerArn: layout.listenerArns["80"]!, conditions: [.pathPattern(["/preview*"])], priority: 90,
                actions: [.forward(to: layout.environments["prod"]!.targetGroups["green"]!)]))
        let home = try CLI.temporaryHome()
        try layout.configYAML.write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)

        let runs = try (0..<5).map { _ in try start(home, ["--env", "prod", "environment", "refresh", "--version", "v2", "--yes"]) }
        var statuses: [Int32] = []
        var errors: [String] = []
        for run in runs {
            statuses.append(run.finish())
            errors.append(run.stderr)
        }
        #expect(statuses.filter { $0 == 0 }.count == 1, "\(statuses) \(errors)")
        #expect(statuses.filter { $0 == 2 }.count == 4, "\(statuses) \(errors)")
        let refusals = errors.filter { !$0.isEmpty }
        #expect(refusals.count == 4 && refusals.isNonEmptyAndAll { $0.hasPrefix("refused: ") })
        #expect(refusals.contains { $0.contains("prod is locked by ") && $0.contains("running 'ce --config") })
        let world = try await Moto.world(layout)
        #expect(world.contains("asg \(layout.prefix)prod-green 2/2/24"))
        #expect(world.contains("ssm /\(layout.prefix)compiler-explorer/prod/active-color=green v2"), "switched exactly once")
        #expect(!world.contains("deploy-lock"), "released")
    }

    @Test func aGarbageLockBlocksUntilUnlocked() async throws {
        let layout = try Moto.layout("lkg", envs: ["beta"])
        let home = try CLI.temporaryHome()
        try layout.configYAML.write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        let lockName = layout.environments["beta"]!.ssmPrefix + "deploy-lock"
        try await Moto.services.ssm.putParameter(.init(name: lockName, value: "not json", overwrite: false))
        let before = try await Moto.world(layout)

        func ce(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: home, keys))
        }
        let status = try ce(["--env", "beta", "environment", "status"])
        #expect(status.stdout.contains("LOCKED       by an unreadable value: not json"))
        let blocked = try ce(["--env", "beta", "builds", "set_current", "b2"])
        #expect(blocked.status == 2)
        #expect(blocked.stderr.contains("beta is locked by an unreadable"))
        #expect(try await Moto.world(layout) == before)

        let noTerminal = try ce(["--env", "beta", "environment", "unlock"])
        #expect(noTerminal.status == 2)
        let unlocked = try ce(["--env", "beta", "environment", "unlock", "--yes"])
        #expect(unlocked.status == 0, "\(unlocked.all)")
        #expect(unlocked.stdout.contains("lock \(lockName) removed"))
        #expect(try ce(["--env", "beta", "builds", "set_current", "b2"]).status == 0)
        #expect(try ce(["--env", "beta", "environment", "unlock"]).stdout == "beta is not locked.\n")
    }
}
