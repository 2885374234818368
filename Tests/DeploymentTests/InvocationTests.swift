import Testing

@testable import Deployment

/// The commands `ce` tells the operator to run carry the options that chose where it acted, quoted for a shell.
struct InvocationTests {
    @Test func hintsCarryTheOptionsThatChooseWhereCeActs() throws {
        var beta = try DeploymentConfiguration.builtIn.environment("beta")
        #expect(beta.command("environment recover") == "ce --env beta environment recover")
        beta.invocation = Invocation(sandbox: true, config: nil, profile: nil, region: nil, endpointURL: nil)
        #expect(beta.command("environment recover") == "ce --sandbox --env beta environment recover")
        beta.invocation = Invocation(sandbox: false, config: "my configs/ce.yaml", profile: "ops", region: "eu-west-1", endpointURL: "http://127.0.0.1:5000")
        #expect(beta.command("environment unlock") == "ce --config 'my configs/ce.yaml' --profile ops --region eu-west-1 --endpoint-url http://127.0.0.1:5000 --env beta environment unlock")
        #expect(Invocation.quoted("it's") == #"'it'\''s'"#)
        #expect(Invocation.quoted("") == "''")
    }

    @Test func refusalsAndFailuresCarryThem() throws {
        var prod = try DeploymentConfiguration.builtIn.environment("prod")
        prod.invocation = Invocation(sandbox: true, config: nil, profile: nil, region: nil, endpointURL: nil)
        let journal = DeploymentJournal(
            id: "d-1", strategy: "blue-green", from: .blue, to: .green, version: "v2", capacity: 2, step: "switch", status: .inProgress,
            original: [:], originalValues: [:], targetGroupArn: "arn", keepFailed: false, bakeSeconds: 0, setsVersion: false, startedAt: "",
            updatedAt: "", by: "a", command: "ce")
        let refusal = journal.refusal(in: prod).reason
        #expect(refusal.contains("'ce --sandbox --env prod environment refresh --resume'") && refusal.contains("'ce --sandbox --env prod environment recover'"))
        #expect(!refusal.contains("'ce --env"), "no hint without the sandbox")
    }
}
