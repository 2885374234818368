import Foundation
import Testing

@testable import Deployment

/// `hooks:` in the config: by point, one hook or a list; per environment overriding the defaults; bad input named
/// with its key and line.
struct HookConfigurationTests {
    @Test func hooksAreReadByPointInOrder() throws {
        let configuration = try ConfigurationLoader.parse(
            """
            defaults:
              hooks:
                preSwitch:
                  - {run: [./bin/check-compilers, --all], timeout: 2m}
                  - {run: [curl, -fsS, "http://router/flush"]}
                postSwitch: {run: [./bin/update-routing], onFailure: continue}
            environments:
              prod: {routing: default}
              beta: {routing: "/beta*", hooks: {postDeploy: {run: [notify]}}}
            """, file: "ce.yaml")
        let prod = try configuration.environment("prod")
        #expect(prod.hooks[.preSwitch] == [Hook(argv: ["./bin/check-compilers", "--all"], timeoutSeconds: 120), Hook(argv: ["curl", "-fsS", "http://router/flush"])])
        #expect(prod.hooks[.postSwitch] == [Hook(argv: ["./bin/update-routing"], continueOnFailure: true)])
        #expect(prod.hooks[.postDeploy].isEmpty)
        let beta = try configuration.environment("beta")
        #expect(beta.hooks.byPoint == [.postDeploy: [Hook(argv: ["notify"])]], "an environment's hooks replace the defaults'")
    }

    @Test(arguments: [
        ("preSwitch: {run: ./check}", "defaults.hooks.preSwitch.run: must be the command as a list of words"),
        ("preSwitch: {run: []}", "defaults.hooks.preSwitch.run: must be the command as a list of words"),
        ("preSwitch: {run: [./check], onFailure: continue}", "defaults.hooks.preSwitch.onFailure: applies to postSwitch hooks only"),
        ("postSwitch: {run: [./check], onFailure: ignore}", "defaults.hooks.postSwitch.onFailure: must be rollback or continue"),
        ("postSwitch: [{run: [./a]}, {run: [./b], timeout: 0}]", "defaults.hooks.postSwitch[1].timeout"),
        ("beforeSwitch: {run: [./check]}", "defaults.hooks.beforeSwitch: unknown key; expected one of"),
        ("preSwitch: {run: [./check], shell: true}", "defaults.hooks.preSwitch.shell: unknown key"),
    ])
    func badHooksAreNamedWithTheirKey(_ yaml: String, _ message: String) {
        do {
            _ = try ConfigurationLoader.parse("defaults:\n  hooks:\n    \(yaml)\n", file: "ce.yaml")
            Issue.record("expected an error for \(yaml)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains("line 3"), "\(error)")
        }
    }
}
