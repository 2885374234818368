import CloudSimulator
import Deployment
import Foundation
import Testing

/// The defects fault injection found (issue 9), through the binary on the sandbox: each leaves a clear line, the right
/// exit code, and an environment the next command can use.
struct FaultDefectCommandTests {
    struct Sandbox {
        let home: String
        var directory: String { home + "/sandbox" }

        init() throws {
            home = try CLI.temporaryHome()
            #expect(try ce("sandbox reset").status == 0)
        }

        func ce(_ command: String) throws -> CLI.Result {
            try ce(command.split(separator: " ").map(String.init))
        }

        func ce(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(arguments, environment: CLI.environment(home: home, ["CE_SANDBOX_DIR": directory, "USER": "tester"]))
        }

        /// Changes the saved world directly, as a hand in the console would.
        func edit(_ body: (SimulatedCloud) -> Void) throws {
            let url = URL(fileURLWithPath: directory + "/world.json")
            let cloud = try SimulatedCloud(decoding: try Data(contentsOf: url))
            body(cloud)
            try cloud.encoded().write(to: url)
        }

        func parameter(_ name: String) throws -> String? {
            try SimulatedCloud(decoding: try Data(contentsOf: URL(fileURLWithPath: directory + "/world.json"))).parameter(name)
        }
    }

    /// A pid no process has any more.
    func deadPid() throws -> Int {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return Int(process.processIdentifier)
    }

    func lock(holder: String, pid: Int) -> String {
        DeployLock(holder: holder, command: "ce --env beta environment refresh", pid: pid, acquiredAt: Date(), expiresAt: Date().addingTimeInterval(900)).json()
    }

    @Test func recoverReleasesTheLockOfAProcessThatIsGoneEvenWithNothingElseToDo() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.ce("--sandbox --env beta environment refresh --version v2 --yes").status == 0)
        // Killed right after its last journal write: the journal says done, the lock stays.
        let mine = "tester@\(ProcessInfo.processInfo.hostName)"
        try sandbox.edit { $0.setParameter("/compiler-explorer/beta/deploy-lock", lock(holder: mine, pid: try! deadPid())) }
        let refused = try sandbox.ce("--sandbox --env beta environment cleanup --yes")
        #expect(refused.status == 2 && refused.stderr.contains("environment recover' takes the lock over"), "\(refused.all)")
        let dry = try sandbox.ce("--sandbox --env beta environment recover --dry-run")
        #expect(dry.stdout.contains("would be taken over and released if that process is gone"), "\(dry.all)")
        let recover = try sandbox.ce("--sandbox --env beta environment recover --yes")
        #expect(recover.status == 0, "\(recover.all)")
        #expect(recover.stdout.contains("nothing to recover") && recover.stdout.contains("was released"), "\(recover.stdout)")
        #expect(try sandbox.parameter("/compiler-explorer/beta/deploy-lock") == nil)
        #expect(try sandbox.ce("sandbox advance 10m").status == 0)
        #expect(try sandbox.ce("--sandbox --env beta environment cleanup --yes").status == 0)
        #expect(try sandbox.ce("--sandbox --env beta environment refresh --version v3 --yes").status == 0)

        // A lock whose holder still runs is not taken: recover says who holds it.
        try sandbox.edit { $0.setParameter("/compiler-explorer/beta/deploy-lock", lock(holder: mine, pid: Int(ProcessInfo.processInfo.processIdentifier))) }
        let live = try sandbox.ce("--sandbox --env beta environment recover --yes")
        #expect(live.status == 2 && live.stderr.contains("beta is locked by \(mine)"), "\(live.all)")
        #expect(try sandbox.parameter("/compiler-explorer/beta/deploy-lock") != nil)
    }

    @Test func aLockThatCannotBeReleasedIsSaidWithTheCommandThatClearsIt() throws {
        let sandbox = try Sandbox()
        #expect(try sandbox.ce(["sandbox", "faults", "--deny", "SSM DeleteParameter /compiler-explorer/beta/deploy-lock"]).status == 0)
        let deploy = try sandbox.ce("--sandbox --env beta environment refresh --version v2 --yes")
        #expect(deploy.status == 1, "\(deploy.all)")
        #expect(deploy.stdout.contains("beta: refresh done."))
        #expect(deploy.stderr.contains("error: the deploy lock /compiler-explorer/beta/deploy-lock could not be released"))
        // The hint names the sandbox: pasted, it acts where the deploy did — never on a real account.
        #expect(deploy.stderr.contains("run 'ce --sandbox --env beta environment unlock'"))
        #expect(try sandbox.ce("sandbox faults --clear").status == 0)
        let hint = try #require(deploy.stderr.components(separatedBy: "run '").last?.components(separatedBy: "'").first)
        let pasted = try sandbox.ce(String(hint.dropFirst("ce ".count)) + " --yes")
        #expect(pasted.status == 0, "\(pasted.all)")
        #expect(try sandbox.parameter("/compiler-explorer/beta/deploy-lock") == nil)
    }

    @Test func anUnreadableJournalIsShownBlocksDeploysAndIsRemovedByRecover() throws {
        let sandbox = try Sandbox()
        try sandbox.edit { $0.setParameter("/compiler-explorer/beta/deployment", #"{"id": "d-2026113"#) }
        let status = try sandbox.ce("--sandbox --env beta environment status")
        #expect(status.status == 1)
        #expect(status.stdout.contains(#"UNREADABLE   journal '{"id": "d-2026113' is not a deployment record"#), "\(status.stdout)")
        let deploy = try sandbox.ce("--sandbox --env beta environment refresh --version v2 --yes")
        #expect(deploy.status == 2 && deploy.stderr.contains("The journal /compiler-explorer/beta/deployment cannot be read"), "\(deploy.all)")
        let resume = try sandbox.ce("--sandbox --env beta environment refresh --resume --yes")
        #expect(resume.status == 2 && resume.stderr.contains("cannot be read"))
        let dry = try sandbox.ce("--sandbox --env beta environment recover --dry-run")
        #expect(dry.stdout.contains("it is removed") && dry.stdout.contains("SSM DeleteParameter Name=/compiler-explorer/beta/deployment"), "\(dry.all)")
        #expect(try sandbox.ce("--sandbox --env beta environment recover --yes").status == 0)
        #expect(try sandbox.ce("--sandbox --env beta environment status").status == 0)
        #expect(try sandbox.ce("--sandbox --env beta environment refresh --version v2 --yes").status == 0)
    }

    @Test func buildNamesAreCheckedAlikeFromEveryWhere() throws {
        let sandbox = try Sandbox()
        try sandbox.edit { $0.setParameter("/compiler-explorer/beta/version", "v2\nrm -rf") }
        let fromSSM = try sandbox.ce("--sandbox --env beta environment refresh --yes")
        #expect(fromSSM.status == 2, "\(fromSSM.all)")
        #expect(fromSSM.stderr.contains(#"The build in /compiler-explorer/beta/version, 'v2\nrm -rf', cannot be deployed: it contains a space, tab or line break"#))
        #expect(try sandbox.parameter("/compiler-explorer/beta/green/version") == "v1", "nothing written")
        let long = String(repeating: "x", count: 129)
        let option = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", long, "--yes"])
        let setCurrent = try sandbox.ce(["--sandbox", "--env", "beta", "builds", "set_current", long, "--yes"])
        #expect(option.status == 64 && setCurrent.status == 64)
        #expect(option.stderr.contains("it is 129 characters long. A build name is 1 to 128 characters"))
        #expect(setCurrent.stderr.contains("it is 129 characters long. A build name is 1 to 128 characters"))
    }

    @Test func aCapacityBelowTheFloorIsRefusedOnProd() throws {
        let sandbox = try Sandbox()
        let refused = try sandbox.ce("--sandbox --env prod environment refresh --version v2 --capacity 1 --yes")
        #expect(refused.status == 2 && refused.stderr.contains("--capacity 1 is below prod's live floor of 2"), "\(refused.all)")
        let forced = try sandbox.ce("--sandbox --env prod environment refresh --version v2 --capacity 1 --force --yes")
        #expect(forced.status == 0, "\(forced.all)")
        #expect(try sandbox.ce("--sandbox --env prod environment validate").status == 0, "the serving colour ends at its floor")
    }

    @Test func refusalsComeBeforeTheLock() throws {
        // Another operator holds the lock: a deploy that would be refused anyway says why it is refused, not that
        // the environment is locked — it never got as far as the lock.
        let sandbox = try Sandbox()
        try sandbox.edit { cloud in
            cloud.setParameter("/compiler-explorer/beta/deploy-lock", lock(holder: "bob@elsewhere", pid: 4242))
            cloud.setParameter("/compiler-explorer/beta/active-color", "green")
        }
        let drift = try sandbox.ce("--sandbox --env beta environment refresh --version v2 --yes")
        #expect(drift.status == 2 && drift.stderr.contains("beta has drift"), "\(drift.all)")
        let target = try sandbox.ce("--sandbox --env beta environment refresh --version v2 --target blue --force --yes")
        #expect(target.status == 2 && target.stderr.contains("--target blue is the colour serving beta"), "\(target.all)")
        let resume = try sandbox.ce("--sandbox --env beta environment refresh --resume --yes")
        #expect(resume.status == 2 && resume.stderr.contains("No unfinished deployment to resume"), "\(resume.all)")
        try sandbox.edit { $0.setParameter("/compiler-explorer/beta/version", "not a build") }
        let rolling = try sandbox.ce("--sandbox --env beta environment refresh --strategy rolling --yes")
        #expect(rolling.status == 2 && rolling.stderr.contains("cannot be deployed"), "\(rolling.all)")
        // A deploy that would go ahead is stopped by the lock.
        try sandbox.edit { cloud in
            cloud.setParameter("/compiler-explorer/beta/active-color", "blue")
            cloud.setParameter("/compiler-explorer/beta/version", "v2")
        }
        let locked = try sandbox.ce("--sandbox --env beta environment refresh --version v2 --yes")
        #expect(locked.status == 2 && locked.stderr.contains("beta is locked by bob@elsewhere"), "\(locked.all)")
    }

    @Test func anEmptyOptionValueIsAnError() throws {
        let home = try CLI.temporaryHome()
        for option in ["--region", "--profile", "--env", "--endpoint-url"] {
            let result = try CLI.run(["environment", "status", "--env", "prod", option, ""], environment: CLI.environment(home: home, ["AWS_REGION": "us-east-1"]))
            #expect(result.status == 64, "\(option): \(result.all)")
            #expect(result.stderr.contains("Error: \(option) is empty: give a value"), "\(option): \(result.stderr)")
        }
    }

    /// What the command line alone decides is exit 64, with a message naming the value and the rule (issue 19 §10),
    /// and under `-o json` the result document says so (§9); a build name with no characters is one too (§11).
    @Test func whatTheCommandLineAloneDecidesIsBadArgumentsWithItsDocument() throws {
        let sandbox = try Sandbox()
        let cases: [(String, String)] = [
            ("--steps 50,10", "--steps 50,10: the shares must increase"),
            ("--steps 0,100", "--steps 0,100: 0 is not a percentage from 1 to 100"),
            ("--steps 10,,100", "--steps must be percentages separated by commas"),
            ("--to purple", "--to must be blue or green, not 'purple'"),
            ("--capacity -1", "--capacity must be between 1 and 1000, not -1"),
            ("--capacity 0", "--capacity must be between 1 and 1000, not 0"),
            ("--bake -5", "--bake cannot be negative ('-5')"),
            ("--keep-old-for -1h", "--keep-old-for cannot be negative ('-1h')"),
            ("--step 0", "--step must be a percentage from 1 to 99, not 0"),
        ]
        for (arguments, message) in cases {
            let result = try sandbox.ce("--sandbox --env beta environment refresh \(arguments) --yes")
            #expect(result.status == 64 && result.stderr.contains(message), "\(arguments): \(result.all)")
        }
        let json = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "refresh", "--version", "v 2", "-o", "json"])
        #expect(json.status == 64)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.all)")
        #expect(document["outcome"] as? String == "bad arguments" && document["exitCode"] as? Int == 64)
        #expect((document["error"] as? String)?.contains("--version 'v 2' cannot be used: it contains a space") == true)
        let switchJSON = try sandbox.ce(["--sandbox", "--env", "beta", "environment", "switch", "--to", "purple", "-o", "ndjson"])
        #expect(switchJSON.status == 64 && switchJSON.stdout.contains(#""event":"result""#) && switchJSON.stdout.contains(#""outcome":"bad arguments""#), "\(switchJSON.all)")
        let empty = try sandbox.ce(["sandbox", "app", ""])
        #expect(empty.status == 64 && empty.stderr.contains("cannot be used"), "\(empty.all)")
        #expect(try sandbox.ce(["--sandbox", "--env", "beta", "environment", "status"]).stdout.contains("next build   v1"), "nothing changed")
    }
}
