import Testing

@testable import Deployment

/// What each route of a load balancer is to an environment: serving (exact conditions), preview, not serving, other.
struct RouteClassificationTests {
    func rule(_ arn: String, _ conditions: [RouteCondition], to target: String = "arn:blue", port: Int = 443, priority: String = "10") -> Route {
        Route(kind: .rule, arn: arn, listenerArn: "l\(port)", listenerPort: port, priority: priority, conditions: conditions, actions: [.forward(to: target)])
    }

    func listener(_ port: Int, _ actions: [RouteAction]) -> Route {
        Route(kind: .listenerDefault, arn: "l\(port)", listenerArn: "l\(port)", listenerPort: port, actions: actions)
    }

    let header = { (value: String) in RouteCondition.httpHeader(name: "X-Deployment-Color", values: [value]) }

    @Test func aServingRuleHasExactlyThePathAndNothingElse() {
        let routes = [
            rule("exact", [.pathPattern(["/beta*"])]),
            rule("and-host", [.pathPattern(["/beta*"]), .hostHeader(["beta.internal.example"])]),
            rule("two-paths", [.pathPattern(["/beta*", "/beta"])]),
            rule("other-path", [.pathPattern(["/beta2*"])]),
            rule("and-method", [.pathPattern(["/beta*"]), .httpRequestMethod(["GET"])]),
            rule("and-query", [.pathPattern(["/beta*"]), .queryString([.init(key: "v", value: "2")])]),
            rule("and-source", [.pathPattern(["/beta*"]), .sourceIP(["10.0.0.0/8"])]),
            rule("regex", [.unrecognized("path-pattern (regex)")]),
            rule("duplicate", [.pathPattern(["/beta*", "/beta*"])], port: 80),
        ]
        let classified = EnvironmentRoutes(classifying: routes, routing: .pathPattern("/beta*"))
        #expect(classified.serving.map(\.arn) == ["exact", "duplicate"], "the same set of one value is the same condition")
        #expect(classified.other.map(\.arn) == ["and-host", "two-paths", "other-path", "and-method", "and-query", "and-source", "regex"])
        #expect(classified.previews.isEmpty && classified.nonForwardingDefaults.isEmpty)
    }

    @Test func hostAndPathTogetherOrHostAlone() {
        let routes = [
            rule("path", [.pathPattern(["/beta*"])]),
            rule("both", [.hostHeader(["BETA.Example.com"]), .pathPattern(["/beta*"])]),
            rule("host", [.hostHeader(["beta.example.com"])]),
        ]
        let both = EnvironmentRoutes(classifying: routes, routing: Routing(match: .rule(path: "/beta*", host: "beta.example.com")))
        #expect(both.serving.map(\.arn) == ["both"], "host names compare without case, conditions in any order")
        let hostOnly = EnvironmentRoutes(classifying: routes, routing: Routing(match: .rule(path: nil, host: "beta.example.com")))
        #expect(hostOnly.serving.map(\.arn) == ["host"])
        // Paths are case-sensitive.
        #expect(EnvironmentRoutes(classifying: [rule("upper", [.pathPattern(["/BETA*"])])], routing: .pathPattern("/beta*")).serving.isEmpty)
    }

    @Test func previewRulesAreTheServingConditionsPlusOneColourHeader() {
        let routes = [
            rule("serving", [.pathPattern(["/beta*"])]),
            rule("blue", [.pathPattern(["/beta*"]), header("blue")]),
            rule("green", [RouteCondition.httpHeader(name: "x-deployment-color", values: ["GREEN"]), .pathPattern(["/beta*"])], to: "arn:green"),
            rule("two-values", [.pathPattern(["/beta*"]), .httpHeader(name: "X-Deployment-Color", values: ["blue", "green"])]),
            rule("not-a-colour", [.pathPattern(["/beta*"]), header("purple")]),
            rule("other-header", [.pathPattern(["/beta*"]), .httpHeader(name: "X-Canary", values: ["blue"])]),
            rule("extra", [.pathPattern(["/beta*"]), header("blue"), .httpRequestMethod(["GET"])]),
            rule("other-path", [.pathPattern(["/staging*"]), header("blue")]),
            rule("two-headers", [.pathPattern(["/beta*"]), header("blue"), header("green")]),
        ]
        let classified = EnvironmentRoutes(classifying: routes, routing: .pathPattern("/beta*"))
        #expect(classified.serving.map(\.arn) == ["serving"])
        #expect(classified.previews.map(\.route.arn) == ["blue", "green"])
        #expect(classified.previews.map(\.color) == [.blue, .green])
        #expect(classified.other.map(\.arn) == ["two-values", "not-a-colour", "other-header", "extra", "other-path", "two-headers"])

        var custom = Routing.pathPattern("/beta*")
        custom.previewHeader = "X-Canary"
        #expect(EnvironmentRoutes(classifying: routes, routing: custom).previews.map(\.route.arn) == ["other-header"])
    }

    @Test func defaultRoutingServesOnEachForwardingDefaultAction() {
        let redirect = RouteAction(.redirect(.init(statusCode: "HTTP_301", protocolName: "HTTPS", port: "443")))
        let fixed = RouteAction(.fixedResponse(.init(statusCode: "404")))
        let oidc = RouteAction(order: 1, .authenticateOIDC(.init(
            issuer: "https://i", authorizationEndpoint: "https://a", tokenEndpoint: "https://t", userInfoEndpoint: "https://u", clientId: "c")))
        let routes = [
            listener(80, [redirect]),
            listener(443, [oidc, .forward(to: "arn:blue", order: 2)]),
            listener(8080, [fixed]),
            listener(8443, [.forward(to: "arn:blue")]),
            rule("preview", [header("green")], to: "arn:green"),
            rule("path", [.pathPattern(["/beta*"])]),
        ]
        let every = EnvironmentRoutes(classifying: routes, routing: .listenerDefault)
        #expect(every.serving.map(\.arn) == ["l443", "l8443"], "a default that authenticates first still forwards")
        #expect(every.nonForwardingDefaults.map(\.arn) == ["l80", "l8080"])
        #expect(every.previews.map(\.route.arn) == ["preview"])
        #expect(every.other.map(\.arn) == ["path"])
        #expect(every.nonForwardingDefaults.map(\.finalActionType) == ["redirect", "fixed-response"])

        let pinned = EnvironmentRoutes(classifying: routes, routing: Routing(match: .listenerDefault, listenerPorts: [443]))
        #expect(pinned.serving.map(\.arn) == ["l443"])
        #expect(pinned.nonForwardingDefaults.isEmpty, "listeners that are not pinned are not the environment's at all")
        #expect(pinned.other.map(\.arn) == ["l80", "l8080", "l8443", "path"])
    }

    @Test func pinnedRulesByPriorityOrArnOnPinnedListeners() {
        let routes = [
            rule("r1", [.pathPattern(["/beta*"]), .sourceIP(["10.0.0.0/8"])], priority: "101"),
            rule("r2", [.pathPattern(["/beta*"]), .sourceIP(["10.0.0.0/8"])], port: 80, priority: "101"),
            rule("r3", [.pathPattern(["/x*"])], priority: "7"),
            rule("p", [.pathPattern(["/beta*"]), .sourceIP(["10.0.0.0/8"]), header("blue")], priority: "99"),
        ]
        let byPriority = EnvironmentRoutes(classifying: routes, routing: Routing(match: .rule(path: nil, host: nil), pinnedRules: [.priority(101)]))
        #expect(byPriority.serving.map(\.arn) == ["r1", "r2"])
        #expect(byPriority.previews.map(\.route.arn) == ["p"], "a preview of a pinned rule adds the header to its conditions")
        let onePort = EnvironmentRoutes(
            classifying: routes, routing: Routing(match: .rule(path: nil, host: nil), listenerPorts: [443], pinnedRules: [.priority(101), .arn("r3")]))
        #expect(onePort.serving.map(\.arn) == ["r1", "r3"])
    }

    @Test func everyConditionTypeReadsAndCompares() {
        let conditions: [RouteCondition] = [
            .pathPattern(["/b", "/a"]), .hostHeader(["A.example"]), .httpHeader(name: "X-Y", values: ["V"]), .httpRequestMethod(["POST", "GET"]),
            .queryString([.init(key: "k", value: "v"), .init(key: nil, value: "w")]), .sourceIP(["10.0.0.0/8"]), .unrecognized("x-new-field"),
        ]
        #expect(conditions.map(\.field) == ["path-pattern", "host-header", "http-header", "http-request-method", "query-string", "source-ip", "x-new-field"])
        #expect(conditions.map(\.description) == [
            "path /b | /a", "host A.example", "header X-Y: V", "method POST | GET", "query k=v | w", "source 10.0.0.0/8", "x-new-field",
        ])
        #expect(RouteCondition.sameSet(conditions, conditions.reversed()))
        #expect(RouteCondition.sameSet([.hostHeader(["a.example"])], [.hostHeader(["A.EXAMPLE"])]))
        #expect(!RouteCondition.sameSet([.pathPattern(["/a"])], [.pathPattern(["/A"])]))
        #expect(!RouteCondition.sameSet([.pathPattern(["/a"])], [.pathPattern(["/a"]), .pathPattern(["/a"])]))
    }

    @Test func everyActionTypeDescribesItselfAndOnlyForwardsMove() {
        let redirect = RouteAction(.redirect(.init(statusCode: "HTTP_302", path: "/new")))
        let cognito = RouteAction(order: 1, .authenticateCognito(.init(userPoolArn: "arn:pool", userPoolClientId: "c", userPoolDomain: "login")))
        let weighted = RouteAction(order: 2, .forward(ForwardAction(weights: ["arn:blue": 3, "arn:green": 1], stickiness: .init(enabled: true, durationSeconds: 60))))
        #expect(redirect.description == "redirect HTTP_302")
        #expect(cognito.description == "authenticate-cognito login")
        #expect(weighted.description == "forward arn:blue=3, arn:green=1 (sticky 60 s)")
        let route = Route(kind: .rule, arn: "r", listenerArn: "l", listenerPort: 443, priority: "1", conditions: [], actions: [weighted, cognito])
        #expect(route.orderedActions.map(\.type) == ["authenticate-cognito", "forward"])
        #expect(route.weights == ["arn:blue": 3, "arn:green": 1])
        #expect(!route.forwardsOnly(to: "arn:blue"))
        let moved = try! #require(route.actions(forwardingTo: "arn:green"))
        #expect(moved[1] == cognito && moved[0].forward?.weights == ["arn:green": 1] && moved[0].forward?.stickiness?.durationSeconds == 60)
        #expect(ForwardAction.shortName(ofTargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/Beta-Blue/73e2d6bc") == "Beta-Blue")
    }
}
