import AWSCore

extension AWSServices {
    /// Makes the cheapest read of `service` (one page of one item), to prove its endpoint answers these credentials.
    public func probe(_ service: AWSServiceDescriptor) async throws {
        switch service {
        case .sts:
            _ = try await sts.getCallerIdentity()
        case .elbv2:
            _ = try await client.call(
                AWSOperation<DescribeLoadBalancersInput, DescribeLoadBalancersOutput>(.elbv2, "DescribeLoadBalancers"),
                DescribeLoadBalancersInput(pageSize: 1))
        case .autoScaling:
            _ = try await client.call(
                AWSOperation<DescribeAutoScalingGroupsInput, DescribeAutoScalingGroupsOutput>(
                    .autoScaling, "DescribeAutoScalingGroups"),
                DescribeAutoScalingGroupsInput(maxRecords: 1))
        case .ec2:
            _ = try await client.call(
                AWSOperation<DescribeInstancesInput, DescribeInstancesOutput>(.ec2, "DescribeInstances"),
                DescribeInstancesInput(instanceIds: [], filters: [], maxResults: 5))
        case .ssm:
            _ = try await ssm.getParameters(names: ["/ce/doctor/probe"])
        case .cloudWatch:
            var input = DescribeAlarmsInput()
            input.maxRecords = 1
            _ = try await client.call(
                AWSOperation<DescribeAlarmsInput, DescribeAlarmsOutput>(.cloudWatch, "DescribeAlarms"), input)
        default:
            throw AWSClientError.invalidEndpoint(service.name, reason: "no probe for this service")
        }
    }
}
