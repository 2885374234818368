import Foundation
import Testing

@testable import AWSCore
@testable import AWSServices

struct QueryEncoderTests {
    func pairs<T: Encodable>(_ value: T, _ style: QueryEncoder.ListStyle = .member) throws -> [String] {
        try QueryEncoder(listStyle: style).encode(value).map { "\($0.name)=\($0.value)" }
    }

    @Test func weightedForwardWithStickiness() throws {
        let input = ModifyListenerInput(
            listenerArn: "arn:listener", defaultActions: [.weightedForward([("arn:blue", 90), ("arn:green", 10)], stickinessSeconds: 300)])
        #expect(
            try pairs(input) == [
                "ListenerArn=arn:listener",
                "DefaultActions.member.1.Type=forward",
                "DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.TargetGroupArn=arn:blue",
                "DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight=90",
                "DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn=arn:green",
                "DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight=10",
                "DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.Enabled=true",
                "DefaultActions.member.1.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds=300",
            ])
    }

    @Test func pathPatternConditionLeavesOutEmptyLegacyValues() throws {
        let input = CreateRuleInput(
            listenerArn: "arn:l", conditions: [.pathPattern(["/beta*"])], priority: 3, actions: [.forward(to: "arn:tg")])
        #expect(
            try pairs(input) == [
                "ListenerArn=arn:l",
                "Conditions.member.1.Field=path-pattern",
                "Conditions.member.1.PathPatternConfig.Values.member.1=/beta*",
                "Priority=3",
                "Actions.member.1.Type=forward",
                "Actions.member.1.TargetGroupArn=arn:tg",
            ])
    }

    @Test func ec2DialectListsWithoutMember() throws {
        let input = DescribeInstancesInput(
            instanceIds: ["i-1", "i-2"], filters: [EC2Filter(name: "tag:Color", values: ["blue", "green"])], maxResults: nil)
        #expect(
            try pairs(input, .flat) == [
                "InstanceId.1=i-1", "InstanceId.2=i-2", "Filter.1.Name=tag:Color", "Filter.1.Value.1=blue",
                "Filter.1.Value.2=green",
            ])
    }

    @Test func explicitlyEmptyListsAndNilOptionals() throws {
        struct Input: Encodable {
            var names: [String]
            var marker: String?
            var flag: Bool
            var ratio: Double
            var count: Int
        }
        #expect(try pairs(Input(names: [], marker: nil, flag: false, ratio: 2, count: -3)) == ["Names=", "Flag=false", "Ratio=2", "Count=-3"])
        #expect(try pairs(Input(names: [], marker: nil, flag: true, ratio: 0.25, count: 0), .flat) == ["Flag=true", "Ratio=0.25", "Count=0"])
    }

    @Test func mapsAsEntries() throws {
        struct Input: Encodable {
            var attributes: [String: String]
        }
        #expect(
            try pairs(Input(attributes: ["b": "2", "a": "1"])) == [
                "Attributes.entry.1.key=a", "Attributes.entry.1.value=1", "Attributes.entry.2.key=b",
                "Attributes.entry.2.value=2",
            ])
    }

    @Test func datesAreISO8601() throws {
        struct Input: Encodable { var startTime: Date }
        #expect(try pairs(Input(startTime: Date(timeIntervalSince1970: 1_440_938_160))) == ["StartTime=2015-08-30T12:36:00Z"])
        #expect(try pairs(Input(startTime: Date(timeIntervalSince1970: 1_440_938_160.5))) == ["StartTime=2015-08-30T12:36:00.500Z"])
    }

    @Test func formBodyPercentEncodesLikeAWS() {
        let body = QueryEncoder.formBody(action: "PutParameter", version: "1", parameters: [("Value", "a b/c+d=é~")])
        #expect(String(decoding: body, as: UTF8.self) == "Action=PutParameter&Version=1&Value=a%20b%2Fc%2Bd%3D%C3%A9~")
    }
}
