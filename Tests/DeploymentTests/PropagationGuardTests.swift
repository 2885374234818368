import CloudSimulator
import Foundation
import Testing

@testable import Deployment

/// The propagation rule lives in the one place every change goes through (`CloudPorts.applier(for:)`): whichever path
/// takes capacity from a colour a route has just left, it waits until the change has reached every load balancer node.
struct PropagationGuardTests {
    let prod = SimulatedProd.prod
    let blue = "arn:sim:targetgroup/Prod-Blue"
    let green = "arn:sim:targetgroup/Prod-Green"

    /// Green warm with two instances, blue serving, the load balancer's nodes taking 5 s to pick up a change.
    func warmWorld() async throws -> SimulatedCloud {
        let cloud = try SimulatedProd.world()
        cloud.setCalibration(Calibration(propagationSeconds: 5))
        try await cloud.apply(.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 2, maxSize: 24))
        try await cloud.clock.sleep(for: .seconds(120))
        return cloud
    }

    func listeners(_ cloud: SimulatedCloud) -> [Route] { cloud.routes().filter { $0.kind == .listenerDefault } }

    @Test func aScaleDownRightAfterTheRoutesLeftAColourWaitsForPropagationOnAnyPath() async throws {
        let cloud = try await warmWorld()
        let applier = cloud.ports.applier(for: prod)
        // Route changes one by one and a scale-down, as no runner makes them: the rule holds without any runner's help.
        for route in listeners(cloud) { try await applier.apply(.forward(route: route, targetGroupArn: green)) }
        try await cloud.clock.sleep(for: .seconds(30))
        for route in listeners(cloud) { try await applier.apply(.forward(route: route, targetGroupArn: blue)) }
        let movedBack = cloud.now
        try await applier.apply(.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 0, maxSize: nil))
        #expect(cloud.now.timeIntervalSince(movedBack) >= Double(prod.propagationSeconds) - 0.001, "the scale-down waited for every node")
        #expect(cloud.groupSize("prod-green")?.desired == 0)
        try await cloud.clock.sleep(for: .seconds(60))
        #expect(cloud.violations == [])
    }

    @Test func capacityOfAColourNoRouteLeftRecentlyGoesAtOnce() async throws {
        let cloud = try await warmWorld()
        let applier = cloud.ports.applier(for: prod)
        for route in listeners(cloud) { try await applier.apply(.forward(route: route, targetGroupArn: green)) }
        let moved = cloud.now
        // Green, which the routes moved to, may be resized at once; so may blue once the propagation time has passed.
        try await applier.apply(.resizeGroup(name: "prod-green", minSize: 2, desiredCapacity: 3, maxSize: nil))
        #expect(cloud.now == moved)
        try await cloud.clock.sleep(for: .seconds(Double(prod.propagationSeconds)))
        let later = cloud.now
        try await applier.apply(.resizeGroup(name: "prod-blue", minSize: 0, desiredCapacity: 0, maxSize: nil))
        #expect(cloud.now == later)
        // A min alone never takes an instance away: no wait either.
        for route in listeners(cloud) { try await applier.apply(.forward(route: route, targetGroupArn: blue)) }
        let back = cloud.now
        try await applier.apply(.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: nil, maxSize: nil))
        #expect(cloud.now == back)
    }

    @Test func aProcessContinuingAnotherKeepsCapacityBehindEitherColour() async throws {
        let cloud = try await warmWorld()
        let ports = cloud.ports
        ports.propagation.routesMayHaveMoved(prod, at: cloud.now)
        let since = cloud.now
        let applier = ports.applier(for: prod)
        let wait = try await applier.settle(before: [.resizeGroup(name: "prod-green", minSize: 0, desiredCapacity: 0, maxSize: nil)])
        #expect(cloud.now.timeIntervalSince(since) >= Double(prod.propagationSeconds) - 0.001)
        #expect(wait?.cause == .earlierProcess)
        #expect(wait.map(applier.describe)?.contains("a route change the stopped command may have made") == true)
        // A deregistration from the other colour's target group waits too; nothing is left to wait for afterwards.
        #expect(try await applier.settle(before: [.deregisterTargets(targetGroupArn: blue, ids: ["i-1"])]) == nil)
    }

    @Test func theGuardIsSharedByEveryCopyOfThePortsAndOnlyByThem() async throws {
        let cloud = try await warmWorld()
        let ports = cloud.ports
        var copy = ports
        copy.interceptChanges { $0 }
        for route in listeners(cloud) { try await copy.applier(for: prod).apply(.forward(route: route, targetGroupArn: green)) }
        #expect(ports.propagation.remaining(["Prod-Blue"], of: prod, now: cloud.now) != nil, "a copy of the ports shares the guard")
        #expect(cloud.ports.propagation.remaining(["Prod-Blue"], of: prod, now: cloud.now) == nil, "other ports are another process")
    }
}

/// The runner's waits: a stop request cuts short only the waits the machine takes it for.
struct RunnerWaitTests {
    /// A machine that polls three times, 10 s apart, in a state that does not take a stop request (a drain, a way back).
    struct PollingThrough: DeployMachine {
        var polls = 0
        var acceptsInterruption: Bool { false }
        var progress: DeployProgress? { nil }
        mutating func next(_ event: DeployEvent, now: Date) -> DeployAction {
            guard polls < 3 else { return .finished(StepReport()) }
            polls += 1
            return .wait(.seconds(10))
        }
    }

    /// Found by the soak (seed 5359): after Ctrl-C every later wait returned at once, no time passed, and the way back
    /// of an instance switch polled without end.
    @Test func aWaitTheMachineDoesNotStopForLastsItsWholeDurationAfterAStopRequest() async throws {
        let cloud = try SimulatedProd.world()
        let interruption = Interruption()
        interruption.request("SIGINT")
        let started = cloud.now
        _ = try await DeployRunner(environment: SimulatedProd.prod, ports: cloud.ports, interruption: interruption).run(PollingThrough())
        #expect(cloud.now.timeIntervalSince(started) >= 30)
    }
}
