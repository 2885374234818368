import Foundation
import Testing

@testable import Deployment

/// The registry: each strategy's journalled steps (the one list for dry runs, crash points and status) and the steps
/// an unfinished deploy has left.
struct DeployStrategyTests {
    func journal(_ strategy: String, step: String, traffic: TrafficSteps? = nil, split: Int? = nil) -> DeploymentJournal {
        DeploymentJournal(
            id: "d", strategy: strategy, from: .blue, to: .green, version: "v2", capacity: 2, step: step, status: .inProgress, original: [:],
            originalValues: [:], targetGroupArn: "arn:green", keepFailed: false, bakeSeconds: 60, setsVersion: false, startedAt: "", updatedAt: "",
            by: "a", command: "ce", traffic: traffic, trafficStep: split)
    }

    @Test func stepsLeftOfAnUnfinishedDeploy() {
        #expect(DeployStrategy.blueGreen.stepsLeft(journal("blue-green", step: "health gate")) == ["health gate", "switch", "bake", "finalize"])
        let steps = TrafficSteps(percentages: [10, 50, 100])
        #expect(DeployStrategy.canary.stepsLeft(journal("canary", step: "shift", traffic: steps, split: 1))
            == ["shift 50%", "step bake 50%", "switch", "bake", "finalize"])
        #expect(DeployStrategy.canary.stepsLeft(journal("canary", step: "deploy", traffic: steps)).prefix(5)
            == ["deploy", "scale", "health gate", "shift 10%", "step bake 10%"])
        #expect(DeployStrategy.rolling.stepsLeft(journal("rolling", step: "start")) == ["start", "wait"])
        #expect(DeployStrategy.blueGreen.stepsLeft(journal("blue-green", step: "nonsense")).isEmpty)
    }

    @Test func everyStrategyIsRegistered() {
        #expect(DeployStrategy.allCases.map(\.rawValue) == ["blue-green", "canary", "linear", "rolling", "instances"])
        #expect(DeployStrategy.allJournalledSteps == [
            "protect", "clear", "deploy", "scale", "health gate", "switch", "bake", "finalize", "shift", "step bake", "start", "wait", "launch",
            "register", "deregister", "drain", "approval",
        ])
        #expect(DeployStrategy.instances.journalledSteps.last == "finalize", "the way back after a failed bake is no crash point of its own")
        #expect(DeployStrategy.allCases.filter(\.splitsTraffic) == [.canary, .linear])
        #expect(DeployStrategy.allCases.filter { !$0.usesBothColors } == [.rolling])
        #expect(DeployStrategy.canary.implementation == BlueGreenStrategy.self && DeployStrategy.rolling.implementation == RollingStrategy.self)
        #expect(ObjectIdentifier(DeployStrategy.instances.implementation) == ObjectIdentifier(InstanceSwitchStrategy.self))
        #expect(DeployStrategy.instances.stepsLeft(journal("instances", step: "drain")) == ["drain", "bake", "finalize"])
    }
}
