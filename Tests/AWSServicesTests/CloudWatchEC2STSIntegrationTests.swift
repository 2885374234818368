import AWSCore
import AWSServices
import CETestSupport
import Foundation
import Testing

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct CloudWatchIntegrationTests {
    let cloudWatch = Moto.services.cloudWatch

    @Test func alarmsCanBeCreatedForcedAndDescribed() async throws {
        let name = "\(Moto.uniquePrefix("alarm"))prod-green-5xx"
        try await cloudWatch.putMetricAlarm(
            .init(alarmName: name, namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count",
                dimensions: [.init(name: "TargetGroup", value: "targetgroup/Prod-Green/0")], threshold: 10))
        try await cloudWatch.setAlarmState(alarmName: name, stateValue: "ALARM", stateReason: "forced by test")
        let alarms = try await cloudWatch.describeAlarms(.init(alarmNames: [name]))
        #expect(alarms.map(\.alarmName) == [name])
        #expect(alarms.first?.stateValue == "ALARM")
        #expect(alarms.first?.metricName == "HTTPCode_Target_5XX_Count")
        let byPrefix = try await cloudWatch.describeAlarms(.init(alarmNamePrefix: String(name.prefix(10))))
        #expect(byPrefix.map(\.alarmName).contains(name))
    }

    @Test func putAndGetMetricData() async throws {
        // moto matches GetMetricData queries on metric name and dimensions but not on namespace: keep both unique.
        let namespace = "CE/\(Moto.uniquePrefix("metric"))"
        let metricName = "Deployments\(Moto.uniquePrefix(""))"
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let dimension = Dimension(name: "Color", value: "green")
        try await cloudWatch.putMetricData(
            namespace: namespace,
            metricData: [
                MetricDatum(metricName: metricName, dimensions: [dimension], value: 1, unit: "Count", timestamp: now),
                MetricDatum(metricName: metricName, dimensions: [dimension], value: 2, unit: "Count", timestamp: now),
            ])
        let results = try await cloudWatch.getMetricData(
            .init(
                metricDataQueries: [
                    MetricDataQuery(
                        id: "deploys",
                        metricStat: .init(
                            metric: .init(namespace: namespace, metricName: metricName, dimensions: [dimension]),
                            period: 60, stat: "Sum"))
                ],
                startTime: now.addingTimeInterval(-600), endTime: now.addingTimeInterval(600)))
        let result = try #require(results.first)
        #expect(result.id == "deploys")
        #expect(result.values.reduce(0, +) == 3)
        #expect(result.timestamps.count == result.values.count)
    }
}

@Suite(.enabled(if: Moto.isAvailable, "CE_MOTO_ENDPOINT is not set"))
struct EC2AndSTSIntegrationTests {
    @Test func describesInstancesOfAGroupWithTagsAndPrivateAddresses() async throws {
        let layout = try Moto.layout("ec2", envs: ["prod"])
        let group = try #require(
            try await Moto.services.autoScaling.describeAutoScalingGroups(.init(autoScalingGroupNames: ["\(layout.prefix)prod-blue"])).first)
        let ids = group.instances.map(\.instanceId)
        let instances = try await Moto.services.ec2.describeInstances(instanceIds: ids)
        #expect(Set(instances.map(\.instanceId)) == Set(ids))
        for instance in instances {
            #expect(instance.state?.name == "running")
            #expect(instance.privateIpAddress?.isEmpty == false)
            #expect(instance.tag("Color") == "blue")
            #expect(instance.placement?.availabilityZone?.hasPrefix("us-east-1") == true)
        }
        let filtered = try await Moto.services.ec2.describeInstances(
            filters: [.init(name: "tag:aws:autoscaling:groupName", values: ["\(layout.prefix)prod-blue"])])
        #expect(Set(filtered.map(\.instanceId)) == Set(ids))
        await expectServiceError("InvalidInstanceID.NotFound") {
            _ = try await Moto.services.ec2.describeInstances(instanceIds: ["i-0000000000000dead"])
        }
    }

    @Test func callerIdentityAndAssumeRole() async throws {
        let identity = try await Moto.services.sts.getCallerIdentity()
        #expect(identity.account == "123456789012")
        #expect(identity.arn?.hasPrefix("arn:aws:") == true)

        let assumed = try await Moto.services.sts.assumeRole(
            .init(roleArn: "arn:aws:iam::123456789012:role/ce-deployer", roleSessionName: "ce-test", durationSeconds: 900))
        #expect(!assumed.credentials.accessKeyId.isEmpty)
        #expect(!assumed.credentials.sessionToken.isEmpty)
        #expect(assumed.credentials.expiration > Date())
        #expect(assumed.assumedRoleUser?.arn?.contains("ce-deployer") == true)
    }
}
