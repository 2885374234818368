import Foundation
import Testing

/// Compares what people see with a file kept in `Tests/CECommandsTests/Golden/`; `CE_UPDATE_GOLDEN=1` writes the
/// files instead (review the diff before committing it).
enum GoldenFiles {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func expectMatches(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["CE_UPDATE_GOLDEN"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs; run with CE_UPDATE_GOLDEN=1 to rewrite it, then review the diff", sourceLocation: sourceLocation)
    }
}

/// The status of Compiler Explorer's crowded load balancer in a fresh sandbox, as text and JSON.
struct StatusGoldenTests {
    @Test(arguments: [
        ("--sandbox --env beta environment status", "status-beta.txt"),
        ("--sandbox --env prod environment status --verbose", "status-prod-verbose.txt"),
        ("--sandbox --env staging environment status --output json", "status-staging.json"),
        ("--sandbox --env beta environment validate", "validate-beta.txt"),
        ("--sandbox --env prod environment switch --to green --force --dry-run", "switch-prod-dry-run.txt"),
        ("--sandbox init", "init-sandbox.yaml"),
    ])
    func aFreshSandboxLooksLikeThis(_ command: String, _ golden: String) throws {
        let home = try CLI.temporaryHome()
        let environment = CLI.environment(home: home, ["CE_SANDBOX_DIR": home + "/sandbox"])
        #expect(try CLI.run(["sandbox", "reset"], environment: environment).status == 0)
        let result = try CLI.run(command.split(separator: " ").map(String.init), environment: environment)
        #expect(result.status == 0, "\(result.all)")
        try GoldenFiles.expectMatches(result.stdout, golden)
    }
}

/// Every command's help, as people read it: a change to an option, its wording or the usage line is a reviewed diff.
struct HelpGoldenTests {
    static let commands: [String] = [
        "", "doctor", "init", "config show", "builds", "builds current", "builds set-current", "environment", "environment status",
        "environment refresh", "environment switch", "environment rollback", "environment cleanup", "environment start",
        "environment stop", "environment validate", "environment health-check", "environment recover", "environment unlock",
        "environment promote", "environment abort", "environment history", "environment test-blue-green", "builds list", "sandbox", "sandbox reset", "sandbox show", "sandbox faults", "sandbox soak", "simulate",
        "simulate compare", "iam-policy", "version",
    ]

    @Test(arguments: commands)
    func theHelpReadsLikeThis(_ command: String) throws {
        let home = try CLI.temporaryHome()
        // A fixed terminal width, so that the wrapping is the same everywhere.
        let result = try CLI.run(
            command.split(separator: " ").map(String.init) + ["--help"], environment: CLI.environment(home: home, ["COLUMNS": "100"]))
        #expect(result.status == 0, "\(result.all)")
        try GoldenFiles.expectMatches(result.stdout, "help-\(command.isEmpty ? "ce" : command.replacingOccurrences(of: " ", with: "-")).txt")
    }
}

/// A deploy's whole text output in the sandbox, as an operator reads it (standard output and standard error): the
/// plan, the progress lines, the step table, the traffic summary; and a deploy that rolls back, with its failure
/// layout. The deployment id (it carries the process id) and the host name are the only parts masked.
struct DeployGoldenTests {
    @Test(arguments: [
        ("beta-deploy.txt", "", "--sandbox --env beta environment refresh --version v2"),
        ("beta-deploy-rolled-back.txt", "v2 --errors 40", "--sandbox --env beta environment refresh --version v2"),
        ("prod-canary-dry-run.txt", "", "--sandbox --env prod environment refresh --version v2 --strategy canary --steps 10,50,100 --dry-run"),
    ])
    func aSandboxDeployReadsLikeThis(_ golden: String, _ app: String, _ command: String) throws {
        let home = try CLI.temporaryHome()
        let environment = CLI.environment(home: home, ["CE_SANDBOX_DIR": home + "/sandbox", "USER": "tester"])
        #expect(try CLI.run(["sandbox", "reset"], environment: environment).status == 0)
        if !app.isEmpty { #expect(try CLI.run(["sandbox", "app"] + app.split(separator: " ").map(String.init), environment: environment).status == 0) }
        let result = try CLI.run(command.split(separator: " ").map(String.init), environment: environment)
        let text = "$ ce \(command)\nexit \(result.status)\n--- stdout\n\(result.stdout)--- stderr\n\(result.stderr)"
        try GoldenFiles.expectMatches(Self.masked(text), golden)
    }

    static func masked(_ text: String) -> String {
        text.replacingOccurrences(of: #"d-(\d{8}T\d{6}Z)-\d+"#, with: "d-$1-PID", options: .regularExpression)
            .replacingOccurrences(of: "tester@\(ProcessInfo.processInfo.hostName)", with: "tester@HOST")
    }
}
