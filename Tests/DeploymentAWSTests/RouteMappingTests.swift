import AWSCore
import AWSServices
import Deployment
import Foundation
import Synchronization
import Testing

@testable import DeploymentAWS

/// ELBv2's rules as they come over the wire → the domain's routes, and back: every condition type in both forms,
/// every action type, the order; the OIDC client secret never kept and never sent.
struct RouteMappingTests {
    /// Answers every request with `body`, keeping the requests.
    final class Answering: HTTPTransport {
        let body: String
        let requests = Mutex<[String]>([])
        init(_ body: String) { self.body = body }
        func send(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
            requests.withLock { $0.append(String(decoding: request.body, as: UTF8.self)) }
            return HTTPResponse(status: 200, body: Data(body.utf8))
        }
    }

    func elbv2(_ transport: Answering) -> ELBv2 {
        ELBv2(
            client: AWSClient(
                region: "us-east-1", credentialProvider: StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "s")),
                endpoints: EndpointResolver(commandLineURL: "http://127.0.0.1:1", environment: [:]), transport: transport, retryPolicy: .none))
    }

    /// A rule with every condition type (path in the legacy form) and an OIDC action before a weighted, sticky forward,
    /// as moto 5.2.1 answers it (moto, unlike AWS, even returns the client secret).
    static let rulesXML = """
        <DescribeRulesResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeRulesResult><Rules>\
        <member><RuleArn>arn:rule/5</RuleArn><Priority>5</Priority><Conditions>\
        <member><Field>path-pattern</Field><Values><member>/a*</member></Values></member>\
        <member><Field>host-header</Field><HostHeaderConfig><Values><member>a.example</member></Values></HostHeaderConfig></member>\
        <member><Field>http-header</Field><HttpHeaderConfig><HttpHeaderName>X-Deployment-Color</HttpHeaderName><Values><member>blue</member></Values></HttpHeaderConfig></member>\
        <member><Field>http-request-method</Field><HttpRequestMethodConfig><Values><member>GET</member></Values></HttpRequestMethodConfig></member>\
        <member><Field>query-string</Field><QueryStringConfig><Values><member><Key>k</Key><Value>v</Value></member><member><Value>w</Value></member></Values></QueryStringConfig></member>\
        <member><Field>source-ip</Field><SourceIpConfig><Values><member>10.0.0.0/8</member></Values></SourceIpConfig></member>\
        </Conditions><Actions>\
        <member><Type>authenticate-oidc</Type><AuthenticateOidcConfig><Issuer>https://i</Issuer><AuthorizationEndpoint>https://a</AuthorizationEndpoint>\
        <TokenEndpoint>https://t</TokenEndpoint><UserInfoEndpoint>https://u</UserInfoEndpoint><ClientId>c</ClientId><ClientSecret>SECRET-VALUE</ClientSecret>\
        <SessionTimeout>60</SessionTimeout><AuthenticationRequestExtraParams><entry><key>p</key><value>q</value></entry></AuthenticationRequestExtraParams>\
        <OnUnauthenticatedRequest>deny</OnUnauthenticatedRequest></AuthenticateOidcConfig><Order>1</Order></member>\
        <member><Type>forward</Type><Order>2</Order><ForwardConfig><TargetGroups>\
        <member><TargetGroupArn>arn:tg/A</TargetGroupArn><Weight>3</Weight></member><member><TargetGroupArn>arn:tg/B</TargetGroupArn><Weight>0</Weight></member>\
        </TargetGroups><TargetGroupStickinessConfig><Enabled>true</Enabled><DurationSeconds>300</DurationSeconds></TargetGroupStickinessConfig></ForwardConfig></member>\
        </Actions><IsDefault>false</IsDefault></member>\
        <member><RuleArn>arn:rule/6</RuleArn><Priority>6</Priority><Conditions>\
        <member><Field>path-pattern</Field><PathPatternConfig><Values><member>/b*</member></Values></PathPatternConfig></member>\
        <member><Field>host-header</Field><Values><member>b.example</member></Values></member>\
        </Conditions><Actions>\
        <member><Type>authenticate-cognito</Type><AuthenticateCognitoConfig><UserPoolArn>arn:pool</UserPoolArn><UserPoolClientId>cid</UserPoolClientId>\
        <UserPoolDomain>dom</UserPoolDomain></AuthenticateCognitoConfig><Order>1</Order></member>\
        <member><Type>fixed-response</Type><FixedResponseConfig><MessageBody>no</MessageBody><StatusCode>404</StatusCode><ContentType>text/plain</ContentType></FixedResponseConfig><Order>2</Order></member>\
        </Actions><IsDefault>false</IsDefault></member>\
        <member><RuleArn>arn:rule/7</RuleArn><Priority>7</Priority><Conditions>\
        <member><Field>path-pattern</Field><PathPatternConfig><RegexValues><member>^/r/[0-9]+$</member></RegexValues></PathPatternConfig></member>\
        </Conditions><Actions><member><Type>redirect</Type><RedirectConfig><Protocol>HTTPS</Protocol><Port>443</Port><StatusCode>HTTP_301</StatusCode></RedirectConfig><Order>2</Order></member>\
        <member><Type>jwt-validation</Type><Order>1</Order></member></Actions><IsDefault>false</IsDefault></member>\
        </Rules></DescribeRulesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeRulesResponse>
        """

    @Test func everyConditionAndActionIsRead() async throws {
        let rules = try await elbv2(Answering(Self.rulesXML)).describeRules(.init(listenerArn: "arn:listener"))
        let routes = rules.map { Route(rule: $0, listenerArn: "arn:listener", listenerPort: 443) }
        #expect(routes[0].conditions == [
            .pathPattern(["/a*"]), .hostHeader(["a.example"]), .httpHeader(name: "X-Deployment-Color", values: ["blue"]),
            .httpRequestMethod(["GET"]), .queryString([.init(key: "k", value: "v"), .init(key: nil, value: "w")]), .sourceIP(["10.0.0.0/8"]),
        ])
        #expect(routes[0].actions == [
            RouteAction(order: 1, .authenticateOIDC(.init(
                issuer: "https://i", authorizationEndpoint: "https://a", tokenEndpoint: "https://t", userInfoEndpoint: "https://u",
                clientId: "c", sessionTimeout: 60, extraParams: ["p": "q"], onUnauthenticatedRequest: "deny"))),
            RouteAction(order: 2, .forward(ForwardAction(
                targetGroups: [.init(arn: "arn:tg/A", weight: 3), .init(arn: "arn:tg/B", weight: 0)],
                stickiness: .init(enabled: true, durationSeconds: 300), usesForwardConfig: true))),
        ])
        #expect(!String(describing: routes[0]).contains("SECRET"), "the client secret is not kept")
        #expect(routes[0].forwardsOnly(to: "arn:tg/A"), "a weight of 0 gets no traffic")
        #expect(routes[1].conditions == [.pathPattern(["/b*"]), .hostHeader(["b.example"])], "the Config and the legacy Values forms read alike")
        #expect(routes[1].orderedActions.map(\.type) == ["authenticate-cognito", "fixed-response"])
        #expect(routes[1].moveProblem == "rule 6 on :443 does not forward (its last action is fixed-response); ce only moves forwards")
        #expect(routes[2].conditions == [.unrecognized("path-pattern (regex)")])
        #expect(routes[2].orderedActions.map(\.type) == ["jwt-validation", "redirect"])
        #expect(routes[2].moveProblem?.contains("'jwt-validation' that ce cannot send back unchanged") == true)
    }

    @Test func aMovedRuleIsSentBackWholeWithTheSecretKept() async throws {
        let rules = try await elbv2(Answering(Self.rulesXML)).describeRules(.init(listenerArn: "arn:listener"))
        let route = Route(rule: rules[0], listenerArn: "arn:listener", listenerPort: 443)
        let sent = Answering("<ModifyRuleResponse><ModifyRuleResult><Rules/></ModifyRuleResult></ModifyRuleResponse>")
        let client = elbv2(sent)
        try await AWSMutationApplier(elbv2: client, ssm: SSM(client: client.client), autoScaling: AutoScaling(client: client.client))
            .apply(.forward(route: route, targetGroupArn: "arn:tg/B"))
        let body = try #require(sent.requests.withLock { $0.first })
        let parameters = Set(body.split(separator: "&").map { String($0).removingPercentEncoding! })
        #expect(parameters.isSuperset(of: [
            "Action=ModifyRule", "RuleArn=arn:rule/5",
            "Actions.member.1.Type=authenticate-oidc", "Actions.member.1.Order=1",
            "Actions.member.1.AuthenticateOidcConfig.Issuer=https://i", "Actions.member.1.AuthenticateOidcConfig.ClientId=c",
            "Actions.member.1.AuthenticateOidcConfig.SessionTimeout=60", "Actions.member.1.AuthenticateOidcConfig.OnUnauthenticatedRequest=deny",
            "Actions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key=p",
            "Actions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.value=q",
            "Actions.member.1.AuthenticateOidcConfig.UseExistingClientSecret=true",
            "Actions.member.2.Type=forward", "Actions.member.2.Order=2",
            "Actions.member.2.ForwardConfig.TargetGroups.member.1.TargetGroupArn=arn:tg/B",
            "Actions.member.2.ForwardConfig.TargetGroups.member.1.Weight=1",
            "Actions.member.2.ForwardConfig.TargetGroupStickinessConfig.Enabled=true",
            "Actions.member.2.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds=300",
        ]), "\(parameters.sorted())")
        #expect(!body.contains(".ClientSecret="), "no secret is sent; the rule keeps its own")
        #expect(!body.contains("Conditions"), "conditions are not sent, so they stay as they are")
        #expect(!parameters.contains { $0.hasPrefix("Actions.member.3") })
    }

    @Test func aRouteThatCannotBeSentBackWholeIsNeverSent() async throws {
        let rules = try await elbv2(Answering(Self.rulesXML)).describeRules(.init(listenerArn: "arn:listener"))
        let sent = Answering("")
        let client = elbv2(sent)
        let applier = AWSMutationApplier(elbv2: client, ssm: SSM(client: client.client), autoScaling: AutoScaling(client: client.client))
        for rule in rules.dropFirst() {
            await #expect(throws: UnmovableRoute.self) {
                try await applier.apply(.forward(route: Route(rule: rule, listenerArn: "l", listenerPort: 443), targetGroupArn: "arn:tg/B"))
            }
        }
        #expect(sent.requests.withLock { $0 }.isEmpty)
    }

    @Test func theLoadBalancerNameIsReadFromItsArn() {
        #expect(AWSLoadBalancerReader.name(ofLoadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/GccExplorerApp/50dc6c49") == "GccExplorerApp")
        #expect(AWSLoadBalancerReader.name(ofLoadBalancerArn: "nonsense") == nil)
    }
}
