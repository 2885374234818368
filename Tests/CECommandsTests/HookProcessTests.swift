import CETestSupport
import Deployment
import Foundation
import Synchronization
import Testing

@testable import CECommands

/// Hooks as real processes (`ProcessHookRunner`): no shell between `ce` and the program, the deploy's facts in the
/// environment, output streamed with a prefix, exit codes, a timeout and a stop request that end the hook and
/// everything it started; and through the binary in the sandbox.
struct HookProcessTests {
    let context = HookContext(
        environment: "beta", strategy: "blue-green", fromColor: .blue, toColor: .green, version: "v2", previousVersion: "v1",
        targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/Beta-Green/1", instanceIds: ["i-1", "i-2"],
        instanceAddresses: ["10.0.0.1", "10.0.0.2"], deploymentId: "d-1")

    /// The lines a runner wrote.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func withLock<T>(_ body: ([String]) -> T) -> T { lines.withLock { body($0) } }
    }

    /// A runner whose lines are kept.
    func runner() -> (ProcessHookRunner, Lines) {
        let lines = Lines()
        var runner = ProcessHookRunner(sandbox: true)
        runner.write = { line in lines.lines.withLock { $0.append(line) } }
        return (runner, lines)
    }

    @Test func aHookGetsTheDeploysFactsAndItsOutputIsPrefixed() async throws {
        let (runner, lines) = runner()
        let hook = Hook(argv: ["/bin/sh", "-c", "echo \"$CE_ENV $CE_TO_COLOR $CE_VERSION $CE_PREVIOUS_VERSION $CE_INSTANCE_IPS $CE_SANDBOX $CE_HOOK\"; echo oops >&2; exit 7", "ignored"])
        let result = await runner.run(hook, point: .preSwitch, context: context, interruption: Interruption())
        #expect(result.ending == .exited(7) && !result.succeeded)
        let seen = lines.withLock { $0 }
        #expect(seen.contains("[preSwitch sh] beta green v2 v1 10.0.0.1,10.0.0.2 1 preSwitch"))
        #expect(seen.contains("[preSwitch sh] oops"), "standard error too")
        #expect(seen.first?.hasPrefix("[preSwitch sh] started: /bin/sh -c") == true && seen.last?.hasPrefix("[preSwitch sh] exit 7 after") == true)
    }

    @Test func noShellRunsTheArguments() async throws {
        let (runner, lines) = runner()
        let result = await runner.run(Hook(argv: ["echo", "$CE_ENV", "a;b", "*"]), point: .postDeploy, context: context, interruption: Interruption())
        #expect(result.succeeded, "found on PATH")
        #expect(lines.withLock { $0 }.contains("[postDeploy echo] $CE_ENV a;b *"))
    }

    @Test func aMissingProgramCannotStart() async throws {
        let (runner, _) = runner()
        let result = await runner.run(Hook(argv: ["./no-such-hook"]), point: .preDeploy, context: context, interruption: Interruption())
        guard case .couldNotStart = result.ending else { Issue.record("\(result)"); return }
    }

    /// A hook that starts a child and waits: its pid file tells whether the child outlived it.
    func hangingHook(_ directory: String, timeout: Int) -> Hook {
        Hook(argv: ["/bin/sh", "-c", "sleep 60 & echo $! > \(directory)/child; wait"], timeoutSeconds: timeout)
    }

    /// Whether the process whose pid the file holds still runs, a second after (a zombie, dead but not yet reaped by
    /// whoever inherited it, does not run).
    func isRunning(_ pidFile: String) async throws -> Bool {
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        for _ in 0..<20 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return kill(pid, 0) == 0 }
            // The state is the field after the command name, which is in parentheses.
            if stat.split(separator: ")").last?.split(separator: " ").first == "Z" { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    @Test func aHookPastItsTimeoutIsKilledWithEverythingItStarted() async throws {
        let directory = try CLI.temporaryHome()
        let (runner, _) = runner()
        let result = await runner.run(hangingHook(directory, timeout: 1), point: .preSwitch, context: context, interruption: Interruption())
        #expect(result.ending == .timedOut(seconds: 1))
        #expect(try await !isRunning(directory + "/child"), "its child went with it (process group)")
    }

    @Test func aStopRequestKillsTheHook() async throws {
        let directory = try CLI.temporaryHome()
        let (runner, _) = runner()
        let interruption = Interruption()
        Task {
            try await Task.sleep(for: .milliseconds(300))
            interruption.request("SIGINT")
        }
        let result = await runner.run(hangingHook(directory, timeout: 120), point: .preSwitch, context: context, interruption: interruption)
        #expect(result.ending == .interrupted, "ended by the stop request, not by its 120 s timeout")
        #expect(try await !isRunning(directory + "/child"))
    }

    /// Through the binary in the sandbox: a failing preSwitch hook stops the deploy before traffic moves (exit 1),
    /// the dry run lists every hook, and a passing set runs each point once.
    @Test func hooksThroughTheBinaryInTheSandbox() throws {
        let home = try CLI.temporaryHome()
        let environment = CLI.environment(home: home, ["CE_SANDBOX_DIR": home + "/sandbox", "USER": "tester"])
        let log = home + "/hooks.log"
        func config(_ preSwitchExit: Int) throws -> String {
            let file = home + "/ce-\(preSwitchExit).yaml"
            let record = "echo \\\"$CE_HOOK $CE_ENV $CE_VERSION\\\" >> \(log)"
            try """
                defaults:
                  bake: 0
                  hooks:
                    preDeploy: {run: [/bin/sh, -c, "\(record)"]}
                    preSwitch: {run: [/bin/sh, -c, "\(record); exit \(preSwitchExit)"], timeout: 30s}
                    postDeploy: {run: [/bin/sh, -c, "\(record)"]}
                    onFailure: {run: [/bin/sh, -c, "\(record)"]}
                """.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        let failing = try config(5)
        #expect(try CLI.run(["--config", failing, "sandbox", "reset"], environment: environment).status == 0)
        let dry = try CLI.run(["--sandbox", "--config", failing, "--env", "beta", "environment", "refresh", "--version", "v2", "--dry-run"], environment: environment)
        #expect(dry.stdout.contains("  run hook preSwitch: /bin/sh -c") && dry.stdout.contains("(timeout 30 s; a failure undoes the deploy before traffic moves)"), "\(dry.all)")
        #expect(dry.stdout.contains("after a rollback, a failure or an interruption: run hook onFailure:"))
        #expect(!FileManager.default.fileExists(atPath: log), "a dry run runs no hook")

        let failed = try CLI.run(["--sandbox", "--config", failing, "--env", "beta", "environment", "refresh", "--version", "v2"], environment: environment)
        #expect(failed.status == 1, "\(failed.all)")
        #expect(failed.stderr.contains("error: refresh failed at switch: the preSwitch hook failed:") && failed.stderr.contains("exit 5"))
        #expect(failed.stderr.contains("Traffic was not touched (blue still serves)."))
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "preDeploy beta v2\npreSwitch beta v2\nonFailure beta v2\n")

        try FileManager.default.removeItem(atPath: log)
        let passing = try config(0)
        let done = try CLI.run(["--sandbox", "--config", passing, "--env", "beta", "environment", "refresh", "--version", "v2"], environment: environment)
        #expect(done.status == 0, "\(done.all)")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "preDeploy beta v2\npreSwitch beta v2\npostDeploy beta v2\n")
    }
}

/// Hooks through the binary against moto: the facts a hook gets are AWS's (the target group's ARN, the instances'
/// ids and private addresses — passed on, never probed), and the ledger beside the journal records each point once.
@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct HookMotoTests {
    let keys = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"]

    @Test func hooksGetAWSFactsAndRunOncePerDeployment() async throws {
        let layout = try Moto.layout("hook", envs: ["beta"], crowded: true)
        let home = try CLI.temporaryHome()
        let log = home + "/hooks.log"
        let record = "echo \\\"$CE_HOOK $CE_TARGET_GROUP_ARN $CE_INSTANCE_IDS $CE_INSTANCE_IPS $CE_SANDBOX\\\" >> \(log)"
        try (layout.config() + """
              hooks:
                preDeploy: {run: [/bin/sh, -c, "\(record)"]}
                preSwitch: {run: [/bin/sh, -c, "\(record)"]}
                postDeploy: {run: [/bin/sh, -c, "\(record)"]}

            """).write(toFile: home + "/ce.yaml", atomically: true, encoding: .utf8)
        func ce(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(["--config", home + "/ce.yaml", "--endpoint-url", Moto.endpoint!, "--env", "beta"] + arguments, environment: CLI.environment(home: home, keys))
        }
        let deployed = try ce(["environment", "refresh", "--version", "v2"])
        #expect(deployed.status == 0, "\(deployed.all)")
        #expect(deployed.stderr.contains("[preSwitch sh] exit 0 after"), "hook lines on standard error")
        var lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.map { $0.split(separator: " ").first.map(String.init) ?? "" } == ["preDeploy", "preSwitch", "postDeploy"], "\(lines)")
        let ledger = try await Moto.services.ssm.getParameter(name: layout.environments["beta"]!.ssmPrefix + "deployment-hooks").value
        #expect(ledger.contains("\"ran\":[\"preDeploy\",\"preSwitch\",\"postDeploy\"]"), "\(ledger)")
        let green = layout.environments["beta"]!.targetGroups["green"]!
        let fields = lines[1].split(separator: " ").map(String.init)
        #expect(fields.count == 5 && fields[1] == green && fields[2].hasPrefix("i-") && fields[3].hasPrefix("10.") && fields[4] == "0", "\(lines[1])")
        // The next deploy is another deployment: its hooks run again.
        let again = try ce(["environment", "refresh", "--version", "v3", "--force"])
        #expect(again.status == 0, "\(again.all)")
        lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
    }
}
