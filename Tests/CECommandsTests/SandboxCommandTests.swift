import CloudSimulator
import Deployment
import Foundation
import Testing
import TestPredicates

/// `ce --sandbox` through the real binary: successive processes share one simulated world in a folder.
struct SandboxCommandTests {
    struct Sandbox {
        let home: String
        var directory: String { home + "/sandbox" }

        init() throws { home = try CLI.temporaryHome() }

        func ce(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(arguments, environment: CLI.environment(home: home, ["CE_SANDBOX_DIR": directory, "USER": "tester"]))
        }
    }

    /// docs/examples/hybrid.yaml, the design document's hybrid, as the documentation says to try it: the sandbox laid
    /// out by the file, then each environment deployed by its own strategy.
    @Test func theHybridExampleDeploysEachEnvironmentByItsStrategy() throws {
        let sandbox = try Sandbox()
        let file = CLI.repositoryRoot + "/docs/examples/hybrid.yaml"
        func ce(_ arguments: String, exit: Int32 = 0) throws -> CLI.Result {
            let result = try sandbox.ce(["--config", file] + arguments.split(separator: " ").map(String.init))
            #expect(result.status == exit, "ce \(arguments): \(result.all)")
            #expect(!result.stderr.contains("INVARIANT") && !result.stderr.contains("invariants violated"), "\(result.stderr)")
            return result
        }
        let reset = try ce("sandbox reset")
        #expect(reset.stdout.contains("beta (instances, one target group Beta), gpu (canary), prod (blue-green), staging (rolling)"), "\(reset.stdout)")
        let shown = try ce("config show").stdout
        #expect(shown.contains("beta:\n") && shown.contains("  targetGroup: Beta   # one group: instance switching") && shown.contains("  strategy: instances"))
        #expect(shown.contains("  strategy: rolling") && shown.contains("  strategy: canary") && shown.contains("  strategy: blue-green"))

        let deploy = try ce("--sandbox --env beta environment refresh --version v2")
        #expect(deploy.stdout.contains("beta: instance switch done.") && deploy.stdout.contains("both builds were registered for"))
        #expect(try ce("--sandbox --env beta environment status").stdout.contains("active       SSM: green   registered: green\nstrategy     instances"))
        let rollback = try ce("--sandbox --env beta environment rollback")
        #expect(rollback.stdout.contains("beta: switch done."))
        #expect(try ce("--sandbox --env beta environment status").stdout.contains("SSM: blue   registered: blue"))

        #expect(try ce("--sandbox --env staging environment refresh --version v2").stdout.contains("staging: rolling refresh done."))
        #expect(try ce("--sandbox --env prod environment refresh --version v2 --yes").stdout.contains("prod: refresh done."))
        #expect(try ce("--sandbox --env gpu environment refresh --version v2 --step-bake 0").stdout.contains("gpu: refresh done."))
        #expect(try ce("sandbox show").stdout.contains("invariants: all held"))
    }

    @Test func theMainJobDeploysWithNoAccountAndSharesTheWorldBetweenCommands() throws {
        let sandbox = try Sandbox()
        let deploy = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--version", "v2", "--yes"])
        #expect(deploy.status == 0, "\(deploy.all)")
        #expect(deploy.stdout.contains("prod: refresh done."))
        for step in ["preflight", "protect", "deploy", "scale", "health gate", "switch", "verify", "record", "bake", "finalize"] {
            #expect(deploy.stdout.contains("  \(step) "), "summary lists \(step)")
        }
        #expect(deploy.stderr.contains("of virtual time passed; traffic meanwhile:"))
        #expect(deploy.stderr.contains(" by green v2"))
        #expect(deploy.stderr.contains("0 5xx"))
        #expect(deploy.stderr.contains("invariants: all held"))
        #expect(FileManager.default.fileExists(atPath: sandbox.directory + "/world.json"))

        // The next process sees the same world; --output json stays valid JSON (the summary goes to stderr).
        let status = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "status", "--output", "json"])
        #expect(status.status == 0, "\(status.all)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(document["albColor"] as? String == "green")
        #expect((document["deployment"] as? [String: Any])?["status"] as? String == "done")
        #expect((document["alarms"] as? [String: String])?["prod-green-5xx"] == "OK")

        let rollback = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "rollback", "--yes"])
        #expect(rollback.status == 0, "\(rollback.all)")
        let text = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "status"])
        #expect(text.stdout.contains("active       SSM: blue   load balancer: blue"))
        #expect(try sandbox.ce(["sandbox", "show"]).stdout.contains("tool: ELBv2 ModifyListener"))

        let validate = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "validate"])
        #expect(validate.status == 0 && validate.stdout.contains("ok   alarm prod-green-5xx") && validate.stdout.contains("Valid."), "\(validate.all)")

        let reset = try sandbox.ce(["sandbox", "reset", "--seed", "5"])
        #expect(reset.status == 0 && reset.stdout.contains("seed 5"))
        #expect(try sandbox.ce(["--sandbox", "--env", "prod", "environment", "status"]).stdout.contains("last deploy") == false)
    }

    /// The README's sandbox tour, command by command, with the exit codes it promises.
    @Test func theReadmeTourRunsAsWritten() throws {
        let sandbox = try Sandbox()
        let tour: [(String, Int32)] = [
            ("--sandbox --env prod environment refresh --version v2 --yes", 0),
            ("--sandbox --env prod environment status", 0),
            ("sandbox advance 10m", 0),
            ("--sandbox --env prod environment cleanup --yes", 0),
            ("sandbox app v3 --never-healthy", 0),
            ("--sandbox --env prod environment refresh --version v3 --yes", 1),
            ("sandbox faults --crash-at switch", 0),
            ("--sandbox --env prod environment refresh --version v4 --yes", 1),
            ("--sandbox --env prod environment status", 1),
            ("--sandbox --env prod environment recover --yes", 0),
            ("--sandbox --env prod environment status", 0),
            ("sandbox reset", 0),
            ("sandbox soak --runs 20", 0),
        ]
        for (command, expected) in tour {
            let result = try sandbox.ce(command.split(separator: " ").map(String.init))
            #expect(result.status == expected, "ce \(command): \(result.all)")
        }
    }

    /// After a simulated crash the deploy says what `status` says: the step it stopped at and the two ways on — and
    /// each of them, pasted, works (issue 19 §6).
    @Test func aSimulatedCrashSaysTheStepAndTheTwoWaysOn() throws {
        let sandbox = try Sandbox()
        for step in ["switch", "bake"] {
            #expect(try sandbox.ce(["sandbox", "reset"]).status == 0)
            #expect(try sandbox.ce(["sandbox", "faults", "--crash-at", step]).status == 0)
            let crashed = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v2", "--yes"])
            #expect(crashed.status == 1, "\(crashed.all)")
            #expect(crashed.stderr.contains("right after journalling step '\(step)'"), "\(crashed.stderr)")
            #expect(crashed.stderr.contains("'ce --sandbox --env beta environment refresh --resume'") && crashed.stderr.contains("'ce --sandbox --env beta environment recover'"))
            #expect(!crashed.stderr.contains("unlock") && !crashed.stderr.contains("history record"), "one hint, no noise: \(crashed.stderr)")
            let way = step == "switch" ? ["environment", "refresh", "--resume", "--yes"] : ["environment", "recover", "--yes"]
            let next = try sandbox.ce(["--sandbox", "--env", "beta"] + way)
            #expect([0, 3].contains(next.status) && next.stderr.contains("invariants: all held"), "\(next.all)")
            #expect(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"]).status == 0)
        }
    }

    /// A canary whose process is gone takes no promote or abort: both are refused naming --resume and recover, and
    /// status says it stopped instead of offering them (issue 19 §5).
    @Test func aStoppedCanaryIsToldApartFromARunningOne() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.ce(["sandbox", "faults", "--crash-at", "step bake"]).status == 0)
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--strategy", "canary", "--version", "v2", "--yes"])
        for request in ["abort", "promote"] {
            let answer = try sandbox.ce(["--sandbox", "--env", "beta", "environment", request])
            #expect(answer.status == 2, "\(answer.all)")
            #expect(answer.stderr.contains("stopped at 'step bake'") && answer.stderr.contains("nothing would take the \(request)"), "\(answer.stderr)")
            #expect(answer.stderr.contains("'ce --sandbox --env beta environment refresh --resume'") && answer.stderr.contains("'ce --sandbox --env beta environment recover'"))
        }
        let status = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"]).stdout
        #expect(status.contains("stopped: no command runs it") && !status.contains("'ce --sandbox --env beta environment promote'"), "\(status)")
        #expect(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "recover", "--yes"]).status == 0)
    }

    /// In the sandbox a refusal that names a time to come names the `ce sandbox advance` that gets there; pasted, then
    /// the command, it works (issue 19 §7).
    @Test func aRefusalWaitingForTimeNamesTheSandboxAdvanceThatGetsThere() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v2", "--yes"]).status == 0)
        let early = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "cleanup", "--yes"])
        #expect(early.status == 2, "\(early.all)")
        let hint = try #require(early.stderr.range(of: #"run 'ce sandbox advance (\d+)s'"#, options: .regularExpression).map { String(early.stderr[$0]) }, "\(early.stderr)")
        let seconds = hint.filter(\.isNumber)
        #expect(early.stderr.contains("then 'ce --sandbox --env beta environment cleanup'"))
        #expect(try sandbox.ce(["sandbox", "advance", "\(seconds)s"]).status == 0)
        let later = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "cleanup", "--yes"])
        #expect(later.status == 0, "the hint, followed, works: \(later.all)")
    }

    /// A sandbox laid out from a config keeps using it; --verbose logs the simulated calls as it logs AWS's; a deploy
    /// is never reported done over failed requests the sandbox saw (issue 19 §12, §13, §3).
    @Test func theSandboxRemembersItsConfigLogsItsCallsAndCountsFailedRequests() throws {
        let sandbox = try Sandbox()
        let file = sandbox.home + "/shop.yaml"
        try "environments:\n  www: {host: www.example.com, minInstances: 1, loadBalancer: Shop}\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try sandbox.ce(["--config", file, "sandbox", "reset"]).status == 0)
        let status = try sandbox.ce(["--sandbox", "--env", "www", "environment", "status", "--verbose"])
        #expect(status.status == 0, "\(status.all)")
        #expect(status.stderr.contains("sandbox: using \(file), which laid this sandbox out"), "\(status.stderr)")
        #expect(status.stderr.contains("sandbox: ELBv2 DescribeListeners 200 (simulated"), "--verbose logs the simulated calls: \(status.stderr)")
        // Only the configured environment: none of Compiler Explorer's other services, previews before the serving rule.
        #expect(!status.stdout.contains("CE-Status") && status.stdout.contains("preview"), "\(status.stdout)")
        let validate = try sandbox.ce(["--sandbox", "--env", "www", "environment", "validate"])
        #expect(validate.status == 0 && !validate.stdout.contains("never reached"), "\(validate.all)")

        #expect(try sandbox.ce(["sandbox", "reset"]).status == 0)
        #expect(try sandbox.ce(["--sandbox", "--env", "www", "environment", "status"]).status == 2, "a plain reset is Compiler Explorer's layout again")
        // beta's only instance lost before the deploy: its users see errors the deploy did not cause, but could see.
        #expect(try sandbox.ce(["sandbox", "lose-instance", "beta-blue"]).status == 0)
        let deploy = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v2", "--yes"])
        #expect(deploy.status == 1, "\(deploy.all)")
        #expect(deploy.stderr.range(of: #"refresh failed at traffic: \d+ of \d+ requests to beta failed"#, options: .regularExpression) != nil, "\(deploy.stderr)")
        #expect(deploy.stderr.contains("The refresh itself is done: the new build serves."))
    }

    /// `config show` prints a hook's command as YAML that reads back as the same argv (issue 19 §13: it printed
    /// `run: [sh, -c, echo "$CE_ENV…" >> …]`, which is not YAML).
    @Test func configShowPrintsHooksThatReadBack() throws {
        let sandbox = try Sandbox()
        let file = sandbox.home + "/hooks.yaml"
        let argv = ["sh", "-c", #"echo "$CE_ENV: done, [ok]" >> 'log file.txt'"#, "yes", "1.5"]
        let yaml = """
            defaults:
              hooks:
                postDeploy: {run: ["sh", "-c", "echo \\"$CE_ENV: done, [ok]\\" >> 'log file.txt'", "yes", "1.5"], timeout: 10s}
            environments:
              beta: {routing: "/beta*", minInstances: 1}

            """
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        let shown = try sandbox.ce(["--config", file, "config", "show"])
        let line = try #require(shown.stdout.split(separator: "\n").first { $0.contains("postDeploy:") }, "\(shown.all)")
        let pasted = "defaults:\n  hooks:\n    \(line.trimmingCharacters(in: .whitespaces))\nenvironments:\n  beta: {routing: \"/beta*\"}\n"
        let parsed = try ConfigurationLoader.parse(pasted, file: "pasted.yaml")
        #expect(try parsed.environment("beta").hooks[.postDeploy].first?.argv == argv, "\(line)")
    }

    @Test func aBrokenBuildAndABuildServingErrorsNeverKeepTheTraffic() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.ce(["sandbox", "app", "v3", "--never-healthy"]).status == 0)
        let broken = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v3"])
        #expect(broken.status == 1, "\(broken.all)")
        #expect(broken.stderr.contains("refresh failed at health gate: timed out after 600 s"))
        #expect(broken.stderr.contains("Traffic was not touched (blue still serves)."))
        #expect(!broken.stderr.contains("by green v3"), "no request reached the broken build")
        #expect(broken.stderr.contains("invariants: all held"))

        #expect(try sandbox.ce(["sandbox", "app", "v4", "--errors", "40"]).status == 0)
        let erroring = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v4"])
        #expect(erroring.status == 3, "\(erroring.all)")
        // A short first line, then each detail on its own line, then the steps, the failed one included.
        #expect(erroring.stderr.contains("error: refresh rolled back: alarm in ALARM: beta-green-5xx\n  Traffic is back on blue.\n"), "\(erroring.stderr)")
        #expect(erroring.stderr.contains("\n  Undone:\n    beta-green min 0 desired 0 max 24\n"), "one change per line, in a few words")
        #expect(erroring.stderr.split(separator: "\n").contains { $0.hasPrefix("  bake ") && $0.contains("failed after") })
        #expect(!erroring.stderr.split(separator: "\n").contains { $0.hasSuffix(" ") }, "no trailing spaces")
        #expect(erroring.stderr.contains("invariants: all held"))
    }

    @Test func aCrashLeavesAJournalThatBlocksDeploysUntilRecover() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.ce(["sandbox", "faults", "--crash-at", "switch"]).status == 0)
        let crashed = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--version", "v2", "--yes"])
        #expect(crashed.status == 1, "\(crashed.all)")
        #expect(crashed.stderr.contains("the tool crashed (simulated, 'sandbox faults --crash-at') right after journalling step 'switch'"))

        let status = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "status"])
        #expect(status.status == 1)
        #expect(status.stdout.contains("UNFINISHED   deployment"))
        #expect(status.stdout.contains("stopped at step 'switch'"))
        #expect(status.stdout.contains("LOCKED       tester@"))

        let blocked = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--version", "v3", "--yes"])
        #expect(blocked.status == 2)

        let dry = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "recover", "--dry-run"])
        #expect(dry.stdout.contains("dry run: blue serves as before the deploy"), "\(dry.all)")
        let recovered = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "recover", "--yes"])
        #expect(recovered.status == 0, "\(recovered.all)")
        #expect(recovered.stdout.contains("prod: recovered — blue serves as before the deploy"))
        let after = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "status"])
        #expect(after.status == 0, "\(after.all)")
        #expect(after.stdout.contains("last deploy") && after.stdout.contains("recovered"))
        #expect(try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--version", "v3", "--yes"]).status == 0)
    }

    @Test func resumeFinishesACrashedDeploy() throws {
        let sandbox = try Sandbox()
        _ = try sandbox.ce(["sandbox", "faults", "--crash-at", "health gate", "--throttle", "20"])
        #expect(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "b2"]).status == 1)
        let dry = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--resume", "--dry-run"])
        #expect(dry.stdout.contains("would resume") && dry.stdout.contains("at step 'health gate'"), "\(dry.all)")
        let resumed = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--resume"])
        #expect(resumed.status == 0, "\(resumed.all)")
        #expect(resumed.stdout.contains("resume d-"))
        #expect(resumed.stderr.contains("invariants: all held"))
        #expect(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"]).stdout.contains("load balancer: green"))
    }

    @Test func aCrashedRollingDeployIsResumedAndItsRefreshFollowed() throws {
        let sandbox = try Sandbox()
        _ = try sandbox.ce(["sandbox", "faults", "--crash-at", "wait"])
        let crashed = try sandbox.ce(["--sandbox", "--env", "staging", "environment", "refresh", "--strategy", "rolling", "--version", "s2"])
        #expect(crashed.status == 1, "\(crashed.all)")
        let status = try sandbox.ce(["--sandbox", "--env", "staging", "environment", "status"])
        #expect(status.stdout.contains("UNFINISHED") && status.stdout.contains("stopped at step 'wait'"), "\(status.all)")
        let dry = try sandbox.ce(["--sandbox", "--env", "staging", "environment", "refresh", "--resume", "--dry-run"])
        #expect(dry.stdout.contains("would resume the rolling deploy") && dry.stdout.contains("following instance refresh refresh-1"), "\(dry.all)")
        let resumed = try sandbox.ce(["--sandbox", "--env", "staging", "environment", "refresh", "--resume"])
        #expect(resumed.status == 0, "\(resumed.all)")
        #expect(resumed.stdout.contains("staging: rolling refresh done."))
        #expect(resumed.stderr.contains("by blue s2") && resumed.stderr.contains("invariants: all held"))
        #expect(try sandbox.ce(["--sandbox", "--env", "staging", "environment", "status"]).status == 0)
    }

    /// The sandbox is Compiler Explorer's crowded load balancer: every command on an environment leaves every route
    /// that is not one of its serving routes exactly as it was, and the simulator's invariants hold throughout.
    @Test(arguments: ["beta", "prod"])
    func everyCommandChangesOnlyTheEnvironmentsServingRoutes(env: String) throws {
        let sandbox = try Sandbox()
        func routes() throws -> [Route] {
            try SimulatedCloud(decoding: try Data(contentsOf: URL(fileURLWithPath: sandbox.directory + "/world.json"))).routes()
        }
        func ce(_ command: String, exit: Int32 = 0) throws -> CLI.Result {
            let result = try sandbox.ce(command.split(separator: " ").map(String.init))
            #expect(result.status == exit, "\(command): \(result.all)")
            #expect(!result.stderr.contains("INVARIANTS VIOLATED"), "\(command): \(result.stderr)")
            return result
        }
        _ = try ce("sandbox reset")
        let before = try routes()
        #expect(before.count == 36, "two listeners; 8 environment rules, 18 preview rules, 8 rules of other services")
        let serving = Set(LoadBalancerRoutes(loadBalancerArn: "lb", routes: before).routes(for: try DeploymentConfiguration.builtIn.environment(env)).map(\.arn))
        func expectOthersUnchanged(_ step: String) throws {
            let now = try routes()
            #expect(now.map(\.arn) == before.map(\.arn))
            for (old, new) in zip(before, now) where !serving.contains(old.arn) { #expect(old == new, "\(step) changed \(old.label)") }
        }
        let status = try ce("--sandbox --env \(env) environment status")
        #expect(status.stdout.contains("previews (never switched)") && !status.stdout.contains("DRIFT"))
        #expect(try ce("--sandbox --env \(env) environment validate").stdout.hasSuffix("Valid.\n"))
        _ = try ce("--sandbox --env \(env) environment refresh --version v2 --yes")
        try expectOthersUnchanged("refresh")
        _ = try ce("--sandbox --env \(env) environment switch --to blue --yes")
        try expectOthersUnchanged("switch")
        _ = try ce("--sandbox --env \(env) environment rollback --yes")
        try expectOthersUnchanged("rollback")
        #expect(try ce("--sandbox --env \(env) environment validate").stdout.hasSuffix("Valid.\n"), "floors set by the rollback")
        _ = try ce("--sandbox --env \(env) environment cleanup --yes --force")
        _ = try ce("sandbox faults --crash-at switch")
        _ = try ce("--sandbox --env \(env) environment refresh --version v3 --yes", exit: 1)
        _ = try ce("--sandbox --env \(env) environment recover --yes")
        try expectOthersUnchanged("recover")
        // Stopping on purpose is not downtime caused by the tool; starting again serves again.
        _ = try ce("--sandbox --env \(env) environment stop --yes")
        _ = try ce("sandbox advance 2m")
        _ = try ce("--sandbox --env \(env) environment start --yes")
        _ = try ce("sandbox advance 3m")
        #expect(try ce("--sandbox --env \(env) environment status").stdout.contains("serving 100%"))
        try expectOthersUnchanged("stop and start")
    }

    /// The prod confirmation, on a real terminal, says where and what before asking: the sandbox (or the account and
    /// region), the build old → new, the colours and their instances, the strategy; a wrong answer changes nothing.
    @Test func theProdConfirmationSaysWhatWillHappen() throws {
        let sandbox = try Sandbox()
        let environment = CLI.environment(home: sandbox.home, ["CE_SANDBOX_DIR": sandbox.directory, "USER": "tester", "TERM": "dumb"])
        let declined = try CLI.runInTerminal(["--sandbox", "--env", "prod", "environment", "refresh", "--version", "v2", "--strategy", "canary"], input: "prdo\n", environment: environment)
        #expect(declined.status == 2, "\(declined.stdout)")
        for line in [
            "Deploy to prod in the sandbox (the simulated cloud in \(sandbox.directory); no AWS account):",
            "  build      v1 → v2", "  colours    blue serves (2 instance(s)) → green (2 instance(s))",
            "  strategy   canary: 10% → 100%, 9m00s (5m00s of traffic, judged by the alarms up to 4m00s late) each, then a bake of 5m00s (1m00s of traffic, judged by the alarms up to 4m00s late)", "Type the environment name to continue:",
            "Not confirmed. Nothing changed.",
        ] {
            #expect(declined.stdout.contains(line), "\(line)\n\(declined.stdout)")
        }
        #expect(try sandbox.ce(["--sandbox", "--env", "prod", "environment", "status"]).stdout.contains("last deploy") == false, "nothing was journalled")
        let confirmed = try CLI.runInTerminal(["--sandbox", "--env", "prod", "environment", "refresh", "--version", "v2"], input: "prod\n", environment: environment)
        #expect(confirmed.status == 0, "\(confirmed.stdout)")
        #expect(confirmed.stdout.contains("  strategy   blue-green: all traffic at once, then a bake of 5m00s (1m00s of traffic, judged by the alarms up to 4m00s late)") && confirmed.stdout.contains("prod: refresh done."))
    }

    /// The lock names a real holder even when USER and LOGNAME are unset: the account the process runs as.
    @Test func theLockHolderIsNeverUnknown() throws {
        let sandbox = try Sandbox()
        let environment = CLI.environment(home: sandbox.home, ["CE_SANDBOX_DIR": sandbox.directory])
        _ = try CLI.run(["sandbox", "faults", "--crash-at", "scale"], environment: environment)
        _ = try CLI.run(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "b2"], environment: environment)
        let status = try CLI.run(["--sandbox", "--env", "beta", "environment", "status"], environment: environment)
        let account = try #require(getpwuid(getuid())?.pointee.pw_name.map { String(cString: $0) })
        #expect(status.stdout.contains("LOCKED       \(account)@\(ProcessInfo.processInfo.hostName) running"), "\(status.all)")
        #expect(!status.stdout.contains("unknown@"))
    }

    /// A command that has to wait for the sandbox folder (another command holds it) says so, then runs.
    @Test func aCommandWaitingForTheSandboxSaysSo() throws {
        let sandbox = try Sandbox()
        _ = try sandbox.ce(["sandbox", "reset"])
        let holder = open(sandbox.directory + "/lock", O_RDWR)
        #expect(holder >= 0 && flock(holder, LOCK_EX) == 0)
        let waiting = try RunningCE(
            ["--sandbox", "--env", "beta", "environment", "status"],
            environment: CLI.environment(home: sandbox.home, ["CE_SANDBOX_DIR": sandbox.directory, "USER": "tester"]))
        var said = false
        for _ in 0..<500 where !said {
            said = waiting.stderr.contains("sandbox: waiting for another 'ce' command using \(sandbox.directory) to finish")
            usleep(10_000)
        }
        #expect(said, "\(waiting.stderr)")
        flock(holder, LOCK_UN)
        close(holder)
        #expect(waiting.finish() == 0)
        #expect(waiting.stdout.contains("environment  beta"))
    }

    /// One spelling everywhere, the old ones kept: set-current (set_current hidden), -o and -y, --to and --target for
    /// both commands, step names with dashes.
    @Test func consistentNamesAndTheirAliases() throws {
        let sandbox = try Sandbox()
        let help = try sandbox.ce(["builds", "--help"])
        #expect(help.stdout.contains("set-current") && !help.stdout.contains("set_current"), "\(help.stdout)")
        for spelling in ["set-current", "set_current"] {
            let dry = try sandbox.ce(["--sandbox", "--env", "beta", "builds", spelling, "b7", "--dry-run"])
            #expect(dry.status == 0 && dry.stdout.contains("Name=/compiler-explorer/beta/version Value=b7"), "\(spelling): \(dry.all)")
        }
        let json = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status", "-o", "json"])
        #expect(json.status == 0 && json.stdout.hasPrefix("{"))
        let switched = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "switch", "--target", "blue", "-y"])
        #expect(switched.status == 0 && switched.stdout.contains("nothing to do"), "\(switched.all)")
        let refresh = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--to", "green", "--dry-run"])
        #expect(refresh.status == 0, "\(refresh.all)")
        let crash = try sandbox.ce(["sandbox", "faults", "--crash-at", "health-gate"])
        #expect(crash.status == 0 && crash.stdout.contains("crash after journalling 'health-gate'"), "\(crash.all)")
        let deploy = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "-y"])
        #expect(deploy.status == 1, "crashed right after journalling the health gate: \(deploy.all)")
        let status = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"])
        #expect(status.stdout.contains("stopped at step 'health gate'"), "\(status.all)")
    }

    /// The sandbox keeps its own configuration but says so when a config file would have been used without
    /// --sandbox, naming the option that uses it.
    @Test func theSandboxSaysWhichConfigurationItUses() throws {
        let sandbox = try Sandbox()
        let file = sandbox.home + "/.config/ce/config.yaml"
        try FileManager.default.createDirectory(atPath: sandbox.home + "/.config/ce", withIntermediateDirectories: true)
        try "defaults:\n  bake: 0\n".write(toFile: file, atomically: true, encoding: .utf8)
        let status = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"])
        #expect(status.status == 0)
        #expect(status.stderr.contains("sandbox: using the sandbox's own configuration (Compiler Explorer's nine environments, alarms {env}-{color}-5xx), not \(file); pass --config \(file) to use that file."), "\(status.stderr)")
        let given = try sandbox.ce(["--sandbox", "--env", "beta", "--config", file, "environment", "status"])
        #expect(!given.stderr.contains("sandbox: using the sandbox's own configuration"))
        try FileManager.default.removeItem(atPath: file)
        #expect(!(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"]).stderr.contains("own configuration")))
    }

    /// A long soak shows its progress on a terminal (a redrawn line on standard error), then the results.
    @Test func aLongSoakShowsProgressOnATerminal() throws {
        let sandbox = try Sandbox()
        let environment = CLI.environment(home: sandbox.home, ["CE_SANDBOX_DIR": sandbox.directory, "TERM": "dumb"])
        let soak = try CLI.runInTerminal(["sandbox", "soak", "--runs", "600"], input: "", environment: environment)
        #expect(soak.status == 0, "\(soak.stdout)")
        #expect(soak.stdout.contains("\r\u{1B}[Ksoak: ") && soak.stdout.contains(" scenarios, "), "progress redrawn on the terminal")
        #expect(soak.stdout.contains("soak: 600 scenario(s) from seed 1"))
    }

    /// A typo in a command or option name is answered with the name meant, exit 64.
    @Test func typosGetTheNameMeant() throws {
        let sandbox = try Sandbox()
        for (arguments, meant) in [
            (["enviroment", "status"], "Unknown command 'enviroment'. Did you mean 'environment'?"),
            (["--env", "prod", "environment", "statsu"], "Unknown command 'statsu'. Did you mean 'status'?"),
            (["bulds", "current"], "Unknown command 'bulds'. Did you mean 'builds'?"),
            (["environment", "status", "--verbos"], "Unknown option '--verbos'. Did you mean '--verbose'?"),
        ] {
            let result = try sandbox.ce(arguments)
            #expect(result.status == 64 && result.stderr.contains(meant), "\(arguments): \(result.all)")
        }
        #expect(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"]).status == 0, "real names still work")
    }

    /// A mutating command under --output json: one JSON document on standard output (outcome, exit code and meaning,
    /// steps with durations, the error, the lines a person would read), progress and words on standard error.
    @Test func aDeployUnderOutputJSONIsOneDocument() throws {
        let sandbox = try Sandbox()
        func document(_ arguments: [String]) throws -> (CLI.Result, [String: Any]) {
            let result = try sandbox.ce(arguments)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
            return (result, object)
        }
        let (deployed, done) = try document(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v2", "-o", "json"])
        #expect(deployed.status == 0)
        #expect(done["outcome"] as? String == "done" && done["exitCode"] as? Int == 0 && done["error"] is NSNull)
        let steps = try #require(done["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["name"] as? String }.contains("health gate") && steps.isNonEmptyAndAll { $0["seconds"] is Double || $0["seconds"] is Int })
        #expect(deployed.stderr.contains("health gate: green") && deployed.stderr.contains("beta: refresh done."), "progress and words on stderr")
        let (refused, again) = try document(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v3", "-o", "json"])
        #expect(refused.status == 2 && again["outcome"] as? String == "refused" && again["exitCode"] as? Int == 2)
        #expect((again["error"] as? String)?.contains("already has capacity") == true)
        let (_, dry) = try document(["--sandbox", "--env", "beta", "environment", "switch", "--to", "blue", "--dry-run", "-o", "json"])
        #expect((dry["lines"] as? [String])?.contains { $0.contains("ELBv2 ModifyRule") } == true)
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "cleanup", "--yes", "--force"])
        _ = try sandbox.ce(["sandbox", "app", "v9", "--never-healthy"])
        let (failed, broken) = try document(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v9", "-o", "json"])
        #expect(failed.status == 1 && broken["outcome"] as? String == "failed")
        let failedSteps = try #require(broken["steps"] as? [[String: Any]])
        #expect(failedSteps.contains { $0["name"] as? String == "health gate" && ($0["detail"] as? String)?.hasPrefix("FAILED") == true }, "the failed step is in the document")
    }

    /// A deploy's progress: the plan before anything changes, what each instance waits for, a line when traffic
    /// moves, the total time; a redrawn line in colour on a terminal, without colour under NO_COLOR, and plain
    /// timestamped lines with no escape code at all when not on a terminal.
    @Test func aDeploysProgressOnATerminalAndOff() throws {
        let sandbox = try Sandbox()
        let base = CLI.environment(home: sandbox.home, ["CE_SANDBOX_DIR": sandbox.directory, "USER": "tester", "TERM": "xterm"])
        let coloured = try CLI.runInTerminal(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v2"], input: "", environment: base)
        #expect(coloured.status == 0, "\(coloured.stdout)")
        #expect(coloured.stdout.contains("\r\u{1B}[K\u{1B}[1mhealth gate\u{1B}[0m: green"), "redrawn, the label in bold")
        #expect(coloured.stdout.contains("\u{1B}[32m1/1\u{1B}[0m"), "healthy counts in green once ready")
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "cleanup", "--yes", "--force"])
        let plain = try CLI.runInTerminal(
            ["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v3"], input: "", environment: base.merging(["NO_COLOR": "1"]) { $1 })
        #expect(plain.status == 0 && plain.stdout.contains("\r\u{1B}[Khealth gate: blue"), "\(plain.stdout)")
        #expect(!plain.stdout.contains("\u{1B}[1m") && !plain.stdout.contains("\u{1B}[32m"), "NO_COLOR: no colour")
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "cleanup", "--yes", "--force"])
        let piped = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v4"])
        #expect(piped.status == 0 && !piped.stdout.contains("\u{1B}"), "no escape code when not on a terminal")
        let lines = piped.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "beta: deploying:" && lines[1] == "  build      v3 → v4", "the plan before anything changes: \(lines.prefix(4))")
        #expect(lines.contains { $0.contains(" health gate: green InService 0/1") && $0.contains("; waiting: i-") && $0.hasSuffix(" Pending") })
        #expect(lines.contains { $0.hasSuffix(" traffic: every serving route now sends all its traffic to green") })
        #expect(lines.last?.hasPrefix("  total      ") == true && lines.last?.hasSuffix(" s") == true)
    }

    /// health-check and doctor honour --output json too (the sandbox's doctor included).
    @Test func readingCommandsHonourOutputJSON() throws {
        let sandbox = try Sandbox()
        let health = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "health-check", "-o", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(health.stdout.utf8)) as? [String: Any], "\(health.all)")
        #expect(health.status == 0 && document["healthy"] as? Bool == true && document["serving"] as? String == "blue" && document["problem"] is NSNull)
        let doctor = try sandbox.ce(["--sandbox", "doctor", "-o", "json"])
        let checks = try #require(try JSONSerialization.jsonObject(with: Data(doctor.stdout.utf8)) as? [String: Any], "\(doctor.all)")
        #expect(doctor.status == 0 && checks["passed"] as? Bool == true && (checks["checks"] as? [Any])?.count == 3)
    }

    /// Shell completions: environment names from the configuration the command line would use, colours for the
    /// colour options, strategies for --strategy; scripts for bash, zsh and fish.
    @Test func shellCompletions() throws {
        let sandbox = try Sandbox()
        let builtIn = try sandbox.ce(["---completion", "environment", "status", "--", "--env", "2", "0", "ce", "--env", ""])
        #expect(builtIn.stdout.split(separator: "\n").map(String.init) == DeploymentConfiguration.builtIn.environments.keys.sorted(), "\(builtIn.all)")
        let file = sandbox.home + "/shop.yaml"
        try "environments:\n  shop: {routing: \"/shop*\"}\n  api: {routing: \"/api*\"}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try sandbox.ce(["---completion", "environment", "status", "--", "--env", "4", "0", "ce", "--config", file, "--env", ""])
        #expect(fromFile.stdout.split(separator: "\n") == ["api", "shop"], "\(fromFile.all)")
        let bash = try sandbox.ce(["--generate-completion-script", "bash"])
        #expect(bash.status == 0 && bash.stdout.contains("'--to'|'--target')") && bash.stdout.contains("-W 'blue'$'\\n''green'"))
        #expect(bash.stdout.contains("'blue-green'$'\\n''canary'$'\\n''linear'$'\\n''rolling'"))
        for shell in ["zsh", "fish"] { #expect(try sandbox.ce(["--generate-completion-script", shell]).status == 0) }
    }

    /// Every JSON shape of docs/output.md, checked against what ce prints: the same keys, no more, no fewer.
    @Test func theOutputShapesAreTheDocumentedOnes() throws {
        // The documented shapes: each "### `name`" heading's json block, by its top-level keys.
        let docs = try String(contentsOfFile: CLI.repositoryRoot + "/docs/output.md", encoding: .utf8)
        var documented: [String: Set<String>] = [:]
        var heading: String?
        var block: [String]?
        for line in docs.components(separatedBy: "\n") {
            if line.hasPrefix("### `") { heading = line.dropFirst(5).components(separatedBy: "`").first }
            if line == "```json" { block = [] } else if line == "```", let lines = block, let name = heading {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(lines.joined(separator: "\n").utf8)) as? [String: Any], "\(name)")
                documented[name] = Set(object.keys)
                block = nil
            } else if block != nil { block?.append(line) }
        }
        #expect(Set(documented.keys) == ["result", "plan", "progress", "traffic", "approval", "step", "builds list", "health-check", "builds current", "validate", "doctor", "sandbox show", "simulate compare", "environment history", "init"])
        func keys(_ text: String) throws -> Set<String> {
            Set(try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)").keys)
        }
        let sandbox = try Sandbox()
        let json = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v2", "-o", "json"])
        #expect(try keys(json.stdout) == documented["result"])
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "cleanup", "--yes", "--force"])
        let lines = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v3", "-o", "ndjson"])
        var seen: [String: Set<String>] = [:]
        for line in lines.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let event = try #require(object["event"] as? String)
            if seen[event] == nil { seen[event] = Set(object.keys) }
        }
        for event in ["plan", "progress", "traffic", "step"] { #expect(seen[event] == documented[event], "\(event)") }
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "cleanup", "--yes", "--force"])
        let paused = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v4", "--approve", "--approve-timeout", "1m", "--auto-promote", "-o", "ndjson"])
        let approvals = try paused.stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            .filter { $0["event"] as? String == "approval" }
        #expect(approvals.count == 1 && approvals.first.map { Set($0.keys) } == documented["approval"], "\(paused.stdout)")
        #expect(approvals.first?["promote"] is NSNull && approvals.first?["atTimeout"] as? String == "promote")
        #expect(seen["result"] == documented["result"].map { $0.union(["event"]) })
        #expect(try keys(sandbox.ce(["--sandbox", "--env", "beta", "environment", "health-check", "-o", "json"]).stdout) == documented["health-check"])
        #expect(try keys(sandbox.ce(["--sandbox", "--env", "beta", "environment", "validate", "-o", "json"]).stdout) == documented["validate"])
        #expect(try keys(sandbox.ce(["--sandbox", "doctor", "-o", "json"]).stdout) == documented["doctor"])
        #expect(try keys(sandbox.ce(["--sandbox", "--env", "beta", "builds", "current", "-o", "json"]).stdout) == documented["builds current"])
        let listed = try sandbox.ce(["--sandbox", "--env", "beta", "builds", "list", "-o", "json"])
        #expect(try keys(listed.stdout) == documented["builds list"], "\(listed.all)")
        #expect(try keys(sandbox.ce(["--sandbox", "--env", "beta", "environment", "history", "-o", "json"]).stdout) == documented["environment history"])
        let proposal = try sandbox.ce(["--sandbox", "init", "-o", "json"]).stdout
        #expect(try keys(proposal) == documented["init"])
        let environments = try #require((try JSONSerialization.jsonObject(with: Data(proposal.utf8)) as? [String: Any])?["environments"] as? [[String: Any]])
        #expect(environments.isNonEmptyAndAll { Set($0.keys) == ["name", "strategy", "routing", "host", "listeners", "routes", "targetGroups", "autoScalingGroups", "live", "minInstances", "previews", "ssmFound"] })
        let show = try sandbox.ce(["sandbox", "show", "-o", "json"])
        #expect(try keys(show.stdout) == documented["sandbox show"])
        let faults = try #require((try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])?["faults"] as? [String: Any])
        #expect(Set(faults.keys) == ["throttlePercent", "errorPercent", "latencyMilliseconds", "crashAtStep", "denied"])
    }

    /// A build the last deploy rolled back is marked in `builds current`: in its JSON, and on standard error in text
    /// mode while standard output stays the bare build for scripts.
    @Test func buildsCurrentMarksARolledBackBuild() throws {
        let sandbox = try Sandbox()
        func current() throws -> [String: Any] {
            let result = try sandbox.ce(["--sandbox", "--env", "beta", "builds", "current", "-o", "json"])
            #expect(result.status == 0)
            return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        }
        let before = try current()
        #expect(before["build"] as? String == "v1" && before["rolledBack"] is NSNull && before["parameter"] as? String == "/compiler-explorer/beta/version")
        _ = try sandbox.ce(["sandbox", "app", "v5", "--errors", "40"])
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "builds", "set-current", "v5", "--yes"])
        #expect(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh"]).status == 3)
        let after = try current()
        let rolledBack = try #require(after["rolledBack"] as? [String: Any], "\(after)")
        #expect(after["build"] as? String == "v5")
        #expect((rolledBack["deployment"] as? String)?.hasPrefix("d-") == true && rolledBack["note"] is String)
        let text = try sandbox.ce(["--sandbox", "--env", "beta", "builds", "current"])
        #expect(text.stdout == "v5\n")
        #expect(text.stderr.contains("note: v5 was rolled back by d-") && text.stderr.contains("'ce --sandbox --env beta environment refresh --version v5'"), "\(text.stderr)")
    }

    /// The status JSON keeps every documented key, `null` when unset; the lock is a document, not a string.
    @Test func statusJSONKeepsEveryKey() throws {
        let sandbox = try Sandbox()
        func document() throws -> [String: Any] {
            let status = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status", "--output", "json"])
            return try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        }
        let keys: Set = [
            "environment", "strategy", "activeColor", "albColor", "drift", "driftReasons", "nextVersion", "lock", "deployment", "unreadableJournal", "alarms",
            "routes", "previews", "notServing", "other", "colors", "canary", "approval", "keptWarm", "bootObject",
        ]
        let quiet = try document()
        #expect(Set(quiet.keys) == keys)
        for key in ["lock", "deployment", "unreadableJournal", "canary", "approval", "keptWarm", "bootObject"] { #expect(quiet[key] is NSNull, "\(key) is null when unset") }
        let green = try #require((quiet["colors"] as? [String: Any])?["green"] as? [String: Any])
        #expect(Set(green.keys) == ["asg", "min", "desired", "max", "instances", "targetHealth", "version", "targetGroup", "targetGroupArn", "trafficPercent"])
        // A crashed deploy leaves the lock: a document with every key.
        _ = try sandbox.ce(["sandbox", "faults", "--crash-at", "scale"])
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "b2"])
        let locked = try #require(try document()["lock"] as? [String: Any])
        #expect(Set(locked.keys) == ["holder", "command", "pid", "acquiredAt", "expiresAt", "unreadable"])
        #expect(locked["holder"] as? String == "tester@\(ProcessInfo.processInfo.hostName)" && locked["unreadable"] is NSNull)
    }

    @Test func badSandboxInputIsOneClearLine() throws {
        let sandbox = try Sandbox()
        let throttle = try sandbox.ce(["sandbox", "faults", "--throttle", "150"])
        #expect(throttle.status == 64 && throttle.stderr.contains("--throttle must be a percentage between 0 and 100"))
        let crash = try sandbox.ce(["sandbox", "faults", "--crash-at", "lunch"])
        #expect(crash.status == 64 && crash.stderr.contains("--crash-at must be one of: protect, clear, deploy, scale, health-gate, switch, bake, finalize, shift, step-bake, start, wait, launch, register, deregister, drain, approval"))
        let advance = try sandbox.ce(["sandbox", "advance", "5x"])
        #expect(advance.status == 64 && advance.stderr.contains("The duration must be like 90s, 10m or 1h"))
        let alarm = try sandbox.ce(["sandbox", "alarm", "nope", "--state", "ALARM"])
        #expect(alarm.status == 1 && alarm.stderr.contains("No sandbox alarm 'nope'. Alarms: aarch64prod-blue-5xx"))
        let group = try sandbox.ce(["sandbox", "lose-instance", "nope"])
        #expect(group.status == 1 && group.stderr.contains("The sandbox group 'nope' does not exist"))
        let bake = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--bake", "soon", "--yes"])
        #expect(bake.status == 64 && bake.stderr.contains("--bake must be a duration such as 0, 90s, 5m or 1h"))
        let resume = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--resume", "--version", "v9"])
        #expect(resume.status == 64 && resume.stderr.contains("--resume continues the recorded deploy with its own settings"))
        let endpoint = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "status", "--endpoint-url", "http://127.0.0.1:1"])
        #expect(endpoint.status == 64 && endpoint.stderr.contains("--endpoint-url has no meaning with --sandbox"), "\(endpoint.all)")
        let nothing = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--resume", "--yes"])
        #expect(nothing.status == 2 && nothing.stderr.contains("No unfinished deployment to resume"))
        let orphan = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--auto-promote", "--yes"])
        #expect(orphan.status == 64 && orphan.stderr.contains("--approve-timeout and --auto-promote belong to --approve"), "\(orphan.all)")
        let timeout = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--approve", "--approve-timeout", "2d", "--yes"])
        #expect(timeout.status == 64 && timeout.stderr.contains("--approve-timeout must be a duration from 1s to 24h"), "\(timeout.all)")
        let rolling = try sandbox.ce(["--sandbox", "--env", "prod", "environment", "refresh", "--strategy", "rolling", "--approve", "--yes"])
        #expect(rolling.status == 64 && rolling.stderr.contains("the rolling strategy replaces the live instances in place"), "\(rolling.all)")
    }

    /// The beta test cycle in the sandbox: every criterion met with the simulated users as the traffic (exit 0, the
    /// table printed, blue serving again); the checklist alone with --validate; --url refused with --sandbox.
    @Test func theBetaTestCycleInTheSandbox() throws {
        let sandbox = try Sandbox()
        let cycle = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "test-blue-green", "--version", "b7"])
        #expect(cycle.status == 0, "\(cycle.all)")
        #expect(cycle.stdout.contains("success criteria (design document):"), "\(cycle.stdout)")
        #expect(cycle.stdout.contains("  ok   switch time      0.00 s (target < 2.00 s)"), "\(cycle.stdout)")
        #expect(cycle.stdout.contains("  ok   5xx errors       0 of "), "\(cycle.stdout)")
        #expect(cycle.stdout.contains("All criteria met; blue serves again, green is kept warm ('ce --sandbox --env beta environment cleanup' scales it down)."))
        let status = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status", "--output", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(document["albColor"] as? String == "blue" && document["activeColor"] as? String == "blue")
        let history = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "history"])
        #expect(history.stdout.contains("test-blue-green"), "\(history.all)")
        // After a deploy the old colour is kept warm until its keepOldFor ends: status says until when.
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "cleanup", "--yes", "--force"])
        let deployed = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "b8", "--keep-old-for", "2h"])
        #expect(deployed.status == 0, "\(deployed.all)")
        let warm = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"])
        #expect(warm.stdout.contains("kept warm    blue (1 instance(s)) for rollback until ") && warm.stdout.contains("(keepOldFor 2h00m); from then on 'ce --sandbox --env beta environment cleanup --expired' scales it down"), "\(warm.stdout)")
        let warmJSON = try #require(try JSONSerialization.jsonObject(with: Data(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status", "-o", "json"]).stdout.utf8)) as? [String: Any])
        let kept = try #require(warmJSON["keptWarm"] as? [String: Any])
        #expect(kept["color"] as? String == "blue" && kept["keepOldForSeconds"] as? Int == 7200 && kept["until"] is String)
        _ = try sandbox.ce(["sandbox", "advance", "3h"])
        let over = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"])
        #expect(over.stdout.contains("kept warm    blue (1 instance(s)): its keepOldFor ended at "), "\(over.stdout)")
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "cleanup", "--expired", "--force"])
        let cold = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"])
        #expect(!cold.stdout.contains("kept warm"), "\(cold.stdout)")
        let checklist = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "test-blue-green", "--validate"])
        #expect(checklist.status == 0 && checklist.stdout.contains("Valid."), "\(checklist.all)")
        let url = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "test-blue-green", "--url", "http://127.0.0.1:1/"])
        #expect(url.status == 64 && url.stderr.contains("--url has no meaning with --sandbox"), "\(url.all)")
    }

    /// ce's own CloudWatch metrics in the sandbox: with metricsNamespace configured, a deploy and a rollback publish
    /// their durations and counts (seen in `sandbox show`); without it, nothing.
    @Test func deployMetricsInTheSandbox() throws {
        let sandbox = try Sandbox()
        let config = NSTemporaryDirectory() + "ce-metrics-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: config) }
        try "defaults:\n  metricsNamespace: CompilerExplorer/Deploy\n".write(toFile: config, atomically: true, encoding: .utf8)
        _ = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "m1"])
        let none = try #require(try JSONSerialization.jsonObject(with: Data(try sandbox.ce(["sandbox", "show", "-o", "json"]).stdout.utf8)) as? [String: Any])
        #expect((none["metrics"] as? [Any])?.isEmpty == true, "off unless configured")
        let cleanup = try sandbox.ce(["--sandbox", "--config", config, "--env", "beta", "environment", "cleanup", "--yes", "--force"])
        #expect(cleanup.status == 0, "\(cleanup.all)")
        let deploy = try sandbox.ce(["--sandbox", "--config", config, "--env", "beta", "environment", "refresh", "--version", "m2"])
        #expect(deploy.status == 0, "\(deploy.all)")
        let rollback = try sandbox.ce(["--sandbox", "--config", config, "--env", "beta", "environment", "rollback", "--yes"])
        #expect(rollback.status == 0, "\(rollback.all)")
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(try sandbox.ce(["sandbox", "show", "-o", "json"]).stdout.utf8)) as? [String: Any])
        let metrics = try #require(shown["metrics"] as? [[String: Any]])
        #expect(metrics.map { $0["name"] as? String } == ["DeployDuration", "SwitchDuration", "SwitchDuration", "Rollbacks", "RollbackDuration"], "\(metrics)")
        #expect(metrics.isNonEmptyAndAll { $0["namespace"] as? String == "CompilerExplorer/Deploy" && ($0["dimensions"] as? [String: String]) == ["Environment": "beta", "Strategy": "blue-green"] })
        #expect((metrics.first?["value"] as? Double ?? 0) > 100, "the deploy took minutes of virtual time")
        let text = try sandbox.ce(["sandbox", "show"])
        #expect(text.stdout.contains("metrics published:") && text.stdout.contains("CompilerExplorer/Deploy DeployDuration"), "\(text.stdout)")
    }

    /// Builds named in the sandbox's store: `builds list` shows each value with when, newest first; with
    /// `builds: s3://…` the names are the S3 objects, which the deploy writes (the dry run says S3 PutObject).
    @Test func buildsListAndS3BuildsInTheSandbox() throws {
        let sandbox = try Sandbox()
        for build in ["b2", "b3"] { _ = try sandbox.ce(["--sandbox", "--env", "beta", "builds", "set-current", build]) }
        let list = try sandbox.ce(["--sandbox", "--env", "beta", "builds", "list"])
        #expect(list.status == 0 && list.stdout.contains("beta: /compiler-explorer/beta/version, newest first:"), "\(list.all)")
        let builds = list.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[1] }
        #expect(builds.prefix(3) == ["b3", "b2", "v1"], "\(list.stdout)")
        let config = NSTemporaryDirectory() + "ce-s3-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: config) }
        try "defaults:\n  builds: \"s3://ce-builds/{env}/{color}\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let s3 = ["--sandbox", "--config", config, "--env", "beta"]
        _ = try sandbox.ce(["--config", config, "sandbox", "reset"])
        let unset = try sandbox.ce(s3 + ["builds", "list", "-o", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(unset.stdout.utf8)) as? [String: Any])
        #expect(document["name"] as? String == "s3://ce-builds/beta/current" && document["store"] as? String == "s3")
        _ = try sandbox.ce(s3 + ["builds", "set-current", "b9"])
        let dry = try sandbox.ce(s3 + ["environment", "refresh", "--dry-run"])
        #expect(dry.stdout.contains("S3 PutObject Bucket=ce-builds Key=beta/green Body=b9"), "\(dry.stdout)")
        let deploy = try sandbox.ce(s3 + ["environment", "refresh"])
        #expect(deploy.status == 0 && deploy.stdout.contains("deploy         0.00 s  s3://ce-builds/beta/green = b9"), "\(deploy.all)")
        // (The sandbox's traffic summary is on standard error.)
        let beta = try #require(deploy.stderr.split(separator: "\n").first { $0.hasPrefix("  beta ") })
        #expect(beta.contains("by green b9"), "the new colour's instances booted the build its S3 object names: \(beta)")
    }

    /// `--approve` in the sandbox: a deploy that stops while paused (`--crash-at approval`) shows in status who must act;
    /// `environment promote` answers it, and `--resume` takes the answer and finishes. A pause nobody answers runs to its
    /// timeout and is undone (exit 3): in the sandbox one command runs at a time, and the output says so.
    @Test func approvalInTheSandbox() throws {
        let sandbox = try Sandbox()
        let dry = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--approve", "--version", "b2", "--dry-run"])
        #expect(dry.stdout.contains("SSM PutParameter Name=/compiler-explorer/beta/deployment Value={journal: step approval}"), "\(dry.all)")
        #expect(dry.stdout.contains("then pause (green at 0%) until an answer (none can come in the sandbox"), "\(dry.all)")
        let unanswered = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--approve", "--approve-timeout", "5m", "--version", "b2", "--yes"])
        #expect(unanswered.status == 3, "\(unanswered.all)")
        #expect(unanswered.stdout.contains("approval: waiting for an answer (none can come in the sandbox"), "\(unanswered.stdout)")
        #expect(unanswered.stderr.contains("no approval within 300 s (--approve-timeout)") && unanswered.stderr.contains("Traffic was not touched (blue still serves)"))

        _ = try sandbox.ce(["sandbox", "faults", "--crash-at", "approval"])
        let crashed = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--approve", "--approve-timeout", "5m", "--auto-promote", "--version", "b3", "--yes"])
        #expect(crashed.status != 0)
        // Its process is gone: status says it stopped, and nothing would take an answer now.
        let status = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"])
        #expect(status.stdout.contains("APPROVAL     d-") && status.stdout.contains("stopped while waiting for approval (no command runs it)"), "\(status.all)")
        #expect(status.stdout.contains("blue-green steps left: approval → switch → bake → finalize"), "\(status.all)")
        let promote = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "promote"])
        #expect(promote.status == 2 && promote.stderr.contains("'ce --sandbox --env beta environment refresh --resume'"), "\(promote.all)")
        // --resume waits again until the same deadline; nobody can answer in the sandbox, so --auto-promote goes on.
        let resumed = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--resume", "--yes"])
        #expect(resumed.status == 0, "\(resumed.all)")
        #expect(resumed.stdout.contains("approval ") && resumed.stdout.contains("no answer"), "\(resumed.stdout)")
        let after = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status", "--output", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
        #expect(document["approval"] is NSNull && document["albColor"] as? String == "green")
    }
}
