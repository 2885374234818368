import AWSCore
import AWSServices
import CETestSupport
import Foundation
import Testing
import TestPredicates

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct AutoScalingIntegrationTests {
    let asg = Moto.services.autoScaling

    func group(_ name: String) async throws -> AutoScalingGroup {
        try #require(try await asg.describeAutoScalingGroups(.init(autoScalingGroupNames: [name])).first)
    }

    @Test func describesGroupsWithInstancesTagsAndTargetGroups() async throws {
        let layout = try Moto.layout("asg", envs: ["prod"])
        let blue = try await group("\(layout.prefix)prod-blue")
        #expect(blue.minSize == 2)
        #expect(blue.maxSize == 24)
        #expect(blue.desiredCapacity == 2)
        #expect(blue.instances.count == 2)
        #expect(blue.instances.isNonEmptyAndAll { $0.lifecycleState == "InService" && $0.healthStatus == "Healthy" })
        #expect(blue.targetGroupARNs == [layout.environments["prod"]!.targetGroups["blue"]!])
        #expect(blue.tag("Color") == "blue")
        #expect(blue.tag("Environment") == "prod")
        #expect(blue.healthCheckType == "ELB")
        #expect(blue.healthCheckGracePeriod == 240)

        let byTag = try await asg.describeAutoScalingGroups(
            .init(filters: [.init(name: "tag:Color", values: ["green"]), .init(name: "tag:Environment", values: ["prod"])]))
        #expect(byTag.contains { $0.autoScalingGroupName == "\(layout.prefix)prod-green" })
        #expect(!byTag.contains { $0.autoScalingGroupName == "\(layout.prefix)prod-blue" })
    }

    @Test func paginatesWithNextToken() async throws {
        let layout = try Moto.layout("asgp", envs: ["prod", "beta", "staging"])
        let all = try await asg.describeAutoScalingGroups(.init(maxRecords: 2))
        #expect(all.filter { $0.autoScalingGroupName.hasPrefix(layout.prefix) }.count == 6)
        #expect(Set(all.map(\.autoScalingGroupName)).count == all.count)
    }

    @Test func updatesSizesAndSetsDesiredCapacity() async throws {
        let layout = try Moto.layout("size", envs: ["beta"])
        let name = "\(layout.prefix)beta-green"
        try await asg.updateAutoScalingGroup(.init(autoScalingGroupName: name, minSize: 1, maxSize: 4, desiredCapacity: 2))
        var green = try await group(name)
        #expect((green.minSize, green.maxSize, green.desiredCapacity) == (1, 4, 2))
        #expect(green.instances.count == 2)

        try await asg.setDesiredCapacity(autoScalingGroupName: name, desiredCapacity: 3)
        green = try await group(name)
        #expect(green.desiredCapacity == 3)

        // moto accepts min > max (AWS does not), so the typed error is checked on a missing group.
        let error = await expectServiceError("ValidationError") {
            try await asg.updateAutoScalingGroup(.init(autoScalingGroupName: "\(layout.prefix)no-such-group", minSize: 1))
        }
        #expect(error?.message.contains("not found") == true)
    }

    @Test func attachesAndDetachesTargetGroups() async throws {
        let layout = try Moto.layout("att", envs: ["beta"])
        let name = "\(layout.prefix)beta-green"
        let blueGroup = layout.environments["beta"]!.targetGroups["blue"]!
        try await asg.attachLoadBalancerTargetGroups(autoScalingGroupName: name, targetGroupARNs: [blueGroup])
        #expect(Set(try await group(name).targetGroupARNs).contains(blueGroup))
        try await asg.detachLoadBalancerTargetGroups(autoScalingGroupName: name, targetGroupARNs: [blueGroup])
        #expect(!(try await group(name).targetGroupARNs).contains(blueGroup))
    }

    @Test func createsOrUpdatesTags() async throws {
        let layout = try Moto.layout("tag", envs: ["beta"])
        let name = "\(layout.prefix)beta-blue"
        try await asg.createOrUpdateTags([AutoScalingTag(groupName: name, key: "ce:deploying", value: "v2")])
        #expect(try await group(name).tag("ce:deploying") == "v2")
        try await asg.createOrUpdateTags([AutoScalingTag(groupName: name, key: "ce:deploying", value: "v3")])
        #expect(try await group(name).tag("ce:deploying") == "v3")
    }

    @Test func suspendsAndResumesProcesses() async throws {
        let layout = try Moto.layout("proc", envs: ["beta"])
        let name = "\(layout.prefix)beta-blue"
        try await asg.suspendProcesses(autoScalingGroupName: name, scalingProcesses: ["AlarmNotification", "AZRebalance"])
        #expect(Set(try await group(name).suspendedProcesses.map(\.processName)) == ["AlarmNotification", "AZRebalance"])
        try await asg.resumeProcesses(autoScalingGroupName: name, scalingProcesses: ["AZRebalance"])
        #expect(try await group(name).suspendedProcesses.map(\.processName) == ["AlarmNotification"])
        try await asg.resumeProcesses(autoScalingGroupName: name)
        #expect(try await group(name).suspendedProcesses.isEmpty)
    }

    @Test func describesScalingActivities() async throws {
        let layout = try Moto.layout("act", envs: ["beta"])
        let activities = try await asg.describeScalingActivities(.init(autoScalingGroupName: "\(layout.prefix)beta-blue"))
        // moto 5.2.1 records no activities: the call and the decoding of its empty answer work (a canned answer with
        // activities is decoded in AWSClientTests).
        #expect(activities.isEmpty)
    }

    /// moto 5.2.1 does not implement instance refreshes (HTTP 500): the client must surface a clear typed error.
    @Test func instanceRefreshOperationsSurfaceTypedErrorsWhereMotoLacksThem() async throws {
        let layout = try Moto.layout("ir", envs: ["beta"])
        let name = "\(layout.prefix)beta-blue"
        let calls: [(String, () async throws -> Void)] = [
            ("StartInstanceRefresh", {
                _ = try await asg.startInstanceRefresh(
                    .init(autoScalingGroupName: name, preferences: .init(minHealthyPercentage: 75, instanceWarmup: 60)))
            }),
            ("DescribeInstanceRefreshes", { _ = try await asg.describeInstanceRefreshes(.init(autoScalingGroupName: name)) }),
            ("CancelInstanceRefresh", { _ = try await asg.cancelInstanceRefresh(autoScalingGroupName: name) }),
            ("RollbackInstanceRefresh", { _ = try await asg.rollbackInstanceRefresh(autoScalingGroupName: name) }),
        ]
        for (operation, call) in calls {
            do {
                try await call()
                // Should a later moto implement the call, succeeding is fine too.
            } catch let error as AWSServiceError {
                #expect(error.operation == operation)
                #expect(error.service == "AutoScaling")
                #expect(!error.code.isEmpty)
                #expect(error.description.contains(operation))
            } catch {
                Issue.record("\(operation): expected a typed AWSServiceError, got \(error)")
            }
        }
    }
}
