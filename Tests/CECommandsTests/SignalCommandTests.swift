import AWSServices
import CETestSupport
import Foundation
import Testing

/// SIGINT and SIGTERM at several points of a real refresh on moto, a second SIGINT, and an alarm in the bake.
@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct SignalCommandTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    /// prod with a `/preview*` rule using Prod-Green, so the gate reads target health and never probes moto's fake
    /// instance addresses; a stability window and a bake period long enough to signal the process during each.
    func setUp(_ tag: String, stable: String = "40s") async throws -> (Moto.Layout, String) {
        let layout = try Moto.layout(tag, envs: ["prod"])
        _ = try await Moto.services.elbv2.createRule(
            .init(listenerArn: layout.listenerArns["80"]!, conditions: [.pathPattern(["/preview*"])], priority: 90,
                actions: [.forward(to: layout.environments["prod"]!.targetGroups["green"]!)]))
        let home = try CLI.temporaryHome()
        try layout.config(bake: "40s", health: "{stable: \(stable), poll: 1s}")
            .write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        return (layout, home)
    }

    func start(_ home: String, _ arguments: [String]) throws -> RunningCE {
        try RunningCE(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: home, keys))
    }

    func ce(_ home: String, _ arguments: [String]) throws -> CLI.Result {
        try CLI.run(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!] + arguments, environment: CLI.environment(home: home, keys))
    }

    func line(_ world: String, _ prefix: String) -> String {
        world.split(separator: "\n").map(String.init).first { $0.hasPrefix(prefix) } ?? ""
    }

    func journal(_ world: String, _ layout: Moto.Layout) -> String { line(world, "ssm /\(layout.prefix)compiler-explorer/prod/deployment=") }

    @Test(arguments: [(SIGINT, "SIGINT"), (SIGHUP, "SIGHUP")])
    func aSignalDuringTheHealthGateUndoesTheDeploy(signal: Int32, name: String) async throws {
        let (layout, home) = try await setUp("sgi")
        let blue = layout.environments["prod"]!.targetGroups["blue"]!
        let run = try start(home, ["--env", "prod", "environment", "refresh", "--version", "v2", "--yes"])
        #expect(run.waitFor("healthy 2/2, stable "), "\(run.stdout) \(run.stderr)")
        run.signal(signal)
        #expect(run.finish() == 128 + signal, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("\(name): stopping"))
        #expect(run.stderr.contains("refresh stopped at health gate: interrupted by \(name). Traffic was not touched (blue still serves)."))
        let world = try await Moto.world(layout)
        #expect(line(world, "listener 443").hasSuffix(blue + "=1") && line(world, "listener 80").hasSuffix(blue + "=1"))
        #expect(world.contains("asg \(layout.prefix)prod-green 0/0/24") && world.contains("asg \(layout.prefix)prod-blue 2/2/24"))
        #expect(world.contains("ssm /\(layout.prefix)compiler-explorer/prod/green/version=v1 "), "version put back")
        #expect(world.contains("ssm /\(layout.prefix)compiler-explorer/prod/version=v1 "))
        #expect(journal(world, layout).contains(#""status":"interrupted""#))
        #expect(!world.contains("deploy-lock"), "lock released")
    }

    @Test func sigtermDuringTheBakeSendsTrafficBackToTheWarmColour() async throws {
        let (layout, home) = try await setUp("sgt", stable: "1s")
        let blue = layout.environments["prod"]!.targetGroups["blue"]!
        let run = try start(home, ["--env", "prod", "environment", "refresh", "--version", "v2", "--yes"])
        #expect(run.waitFor("bake: green"), "\(run.stdout) \(run.stderr)")
        run.signal(SIGTERM)
        #expect(run.finish() == 143, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("refresh stopped at bake: interrupted by SIGTERM during the bake. Traffic is back on blue"), "\(run.stderr)")
        let world = try await Moto.world(layout)
        #expect(line(world, "listener 443").hasSuffix(blue + "=1") && line(world, "listener 80").hasSuffix(blue + "=1"))
        #expect(world.contains("asg \(layout.prefix)prod-green 0/0/24"), "the unproven colour back to its original size")
        #expect(world.contains("asg \(layout.prefix)prod-blue 2/2/24"), "the old colour serves at its floor")
        #expect(world.contains("ssm /\(layout.prefix)compiler-explorer/prod/active-color=blue"))
        #expect(journal(world, layout).contains(#""status":"interrupted""#))
        #expect(!world.contains("deploy-lock"))
    }

    @Test func aSecondSignalExitsAtOnceAndRecoverFinishesTheJob() async throws {
        let (layout, home) = try await setUp("sg2")
        let blue = layout.environments["prod"]!.targetGroups["blue"]!
        let run = try start(home, ["--env", "prod", "environment", "refresh", "--version", "v2", "--yes"])
        #expect(run.waitFor("healthy 2/2, stable "), "\(run.stdout) \(run.stderr)")
        // Two SIGINTs sent together merge into one pending signal in the kernel (a person's second Ctrl-C comes
        // much later); two different signals do not, so the second reliably lands during the first's clean-up.
        run.signal(SIGINT)
        run.signal(SIGTERM)
        #expect([130, 143].contains(run.finish()))
        #expect(run.stderr.contains("a second signal, exiting at once"), "\(run.stderr)")
        #expect(run.stderr.contains("The lock and the journal are left; run 'ce --config \(home)/ce.yaml --endpoint-url \(Moto.endpoint!) --env prod environment recover'."), "\(run.stderr)")
        var world = try await Moto.world(layout)
        #expect(world.contains("deploy-lock"), "left for recover")
        #expect(journal(world, layout).contains(#""status":"in-progress""#))
        // The second signal lands somewhere in the first one's undo (green pinned or already back down); recover
        // finishes whatever is left either way.
        #expect(world.contains("asg \(layout.prefix)prod-green 2/2/2") || world.contains("asg \(layout.prefix)prod-green 0/0/24"))

        let status = try ce(home, ["--env", "prod", "environment", "status"])
        #expect(status.status == 1)
        #expect(status.stdout.contains("UNFINISHED"))
        let refused = try ce(home, ["--env", "prod", "environment", "refresh", "--version", "v3", "--yes"])
        #expect(refused.status == 2, "\(refused.all)")
        // Refused from the read before the lock (the unfinished journal), so it never touched the dead process's lock.
        // Every hint carries the options this run used (its config file and endpoint), so pasted it acts here.
        let here = "ce --config \(home)/ce.yaml --endpoint-url \(Moto.endpoint!) --env prod"
        #expect(refused.stderr.contains("An unfinished deployment is recorded") && refused.stderr.contains("'\(here) environment recover' to undo it"), "\(refused.stderr)")
        let cleanup = try ce(home, ["--env", "prod", "environment", "cleanup", "--yes"])
        #expect(cleanup.status == 2)
        #expect(cleanup.stderr.contains("That process is no longer running on this host: '\(here) environment recover' takes the lock over"), "\(cleanup.stderr)")
        #expect(cleanup.stderr.contains("(or '\(here) environment unlock' breaks it)"), "\(cleanup.stderr)")

        let recovered = try ce(home, ["--env", "prod", "environment", "recover", "--yes"])
        #expect(recovered.status == 0, "\(recovered.all)")
        #expect(recovered.stdout.contains("prod: recovered — blue serves as before the deploy"))
        world = try await Moto.world(layout)
        #expect(line(world, "listener 443").hasSuffix(blue + "=1"))
        #expect(world.contains("asg \(layout.prefix)prod-green 0/0/24") && world.contains("asg \(layout.prefix)prod-blue 2/2/24"))
        #expect(world.contains("ssm /\(layout.prefix)compiler-explorer/prod/green/version=v1 "))
        #expect(journal(world, layout).contains(#""status":"recovered""#))
        #expect(!world.contains("deploy-lock"))
        #expect(try ce(home, ["--env", "prod", "environment", "status"]).status == 0)
    }

    @Test func anAlarmDuringTheBakeRollsBackWithExitThree() async throws {
        let (layout, home) = try await setUp("sga")
        let prefix = layout.prefix
        for color in ["blue", "green"] {
            try await Moto.services.cloudWatch.putMetricAlarm(
                .init(alarmName: "\(prefix)prod-\(color)-5xx", namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", threshold: 5))
        }
        try layout.config(bake: "40s", health: "{stable: 2s, poll: 1s}", alarms: ["\(prefix){env}-{color}-5xx"])
            .write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        let blue = layout.environments["prod"]!.targetGroups["blue"]!
        let run = try start(home, ["--env", "prod", "environment", "refresh", "--version", "v2", "--yes"])
        #expect(run.waitFor("bake: green"), "\(run.stdout) \(run.stderr)")
        try await Moto.services.cloudWatch.setAlarmState(alarmName: "\(prefix)prod-green-5xx", stateValue: "ALARM", stateReason: "test")
        #expect(run.finish() == 3, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("refresh rolled back: alarm in ALARM: \(prefix)prod-green-5xx\n  Traffic is back on blue."), "\(run.stderr)")
        let world = try await Moto.world(layout)
        #expect(line(world, "listener 443").hasSuffix(blue + "=1") && line(world, "listener 80").hasSuffix(blue + "=1"))
        #expect(world.contains("ssm /\(prefix)compiler-explorer/prod/active-color=blue"))
        #expect(world.contains("asg \(prefix)prod-green 0/0/24") && world.contains("asg \(prefix)prod-blue 2/2/24"))
        #expect(journal(world, layout).contains(#""status":"rolled-back""#))
        #expect(!world.contains("deploy-lock"))
    }
}
