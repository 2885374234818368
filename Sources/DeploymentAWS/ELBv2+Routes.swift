import AWSServices
import Deployment

// ELBv2's rule and action shapes ↔ the domain's routes. Every condition and action type is read in full, so that a
// route can be sent back with only its forward changed.

extension RouteCondition {
    /// A condition as read; the legacy `Values` and the `*Config` forms give the same result, and anything `ce` does
    /// not interpret (regular expressions, newer fields) becomes `.unrecognized`.
    init(_ condition: RuleCondition) {
        let field = condition.field ?? "(no field)"
        func regex(_ config: ValuesConfig?) -> Bool { !(config?.regexValues.isEmpty ?? true) || !condition.regexValues.isEmpty }
        switch field {
        case "path-pattern":
            self = regex(condition.pathPatternConfig) ? .unrecognized("path-pattern (regex)") : .pathPattern(condition.pathPatterns)
        case "host-header":
            self = regex(condition.hostHeaderConfig) ? .unrecognized("host-header (regex)") : .hostHeader(condition.hostHeaders)
        case "http-header":
            guard let config = condition.httpHeaderConfig, let name = config.httpHeaderName, config.regexValues.isEmpty else {
                self = .unrecognized("http-header (regex)")
                return
            }
            self = .httpHeader(name: name, values: config.values)
        case "http-request-method":
            let configured = condition.httpRequestMethodConfig?.values ?? []
            self = .httpRequestMethod(configured.isEmpty ? condition.values : configured)
        case "query-string":
            self = .queryString((condition.queryStringConfig?.values ?? []).map { QueryPair(key: $0.key, value: $0.value ?? "") })
        case "source-ip":
            let configured = condition.sourceIpConfig?.values ?? []
            self = .sourceIP(configured.isEmpty ? condition.values : configured)
        default:
            self = .unrecognized(field)
        }
    }
}

extension RouteAction {
    /// An action as read. The OIDC client secret is not kept (AWS does not return it; moto does).
    init(_ action: Action) {
        let kind: Kind
        switch action.type {
        case "forward":
            if let config = action.forwardConfig, !config.targetGroups.isEmpty {
                kind = .forward(
                    ForwardAction(
                        targetGroups: config.targetGroups.map { .init(arn: $0.targetGroupArn, weight: $0.weight ?? 1) },
                        stickiness: config.targetGroupStickinessConfig.map { .init(enabled: $0.enabled ?? false, durationSeconds: $0.durationSeconds) },
                        usesForwardConfig: true))
            } else if let arn = action.targetGroupArn {
                kind = .forward(ForwardAction(targetGroups: [.init(arn: arn)]))
            } else {
                kind = .unrecognized(type: "forward without a target group")
            }
        case "redirect":
            if let c = action.redirectConfig {
                kind = .redirect(.init(statusCode: c.statusCode, protocolName: c.protocol_, port: c.port, host: c.host, path: c.path, query: c.query))
            } else {
                kind = .unrecognized(type: "redirect without its configuration")
            }
        case "fixed-response":
            if let c = action.fixedResponseConfig {
                kind = .fixedResponse(.init(statusCode: c.statusCode, contentType: c.contentType, messageBody: c.messageBody))
            } else {
                kind = .unrecognized(type: "fixed-response without its configuration")
            }
        case "authenticate-oidc":
            if let c = action.authenticateOidcConfig {
                kind = .authenticateOIDC(
                    .init(
                        issuer: c.issuer, authorizationEndpoint: c.authorizationEndpoint, tokenEndpoint: c.tokenEndpoint,
                        userInfoEndpoint: c.userInfoEndpoint, clientId: c.clientId, sessionCookieName: c.sessionCookieName, scope: c.scope,
                        sessionTimeout: c.sessionTimeout, extraParams: c.authenticationRequestExtraParams,
                        onUnauthenticatedRequest: c.onUnauthenticatedRequest))
            } else {
                kind = .unrecognized(type: "authenticate-oidc without its configuration")
            }
        case "authenticate-cognito":
            if let c = action.authenticateCognitoConfig {
                kind = .authenticateCognito(
                    .init(
                        userPoolArn: c.userPoolArn, userPoolClientId: c.userPoolClientId, userPoolDomain: c.userPoolDomain,
                        sessionCookieName: c.sessionCookieName, scope: c.scope, sessionTimeout: c.sessionTimeout,
                        extraParams: c.authenticationRequestExtraParams, onUnauthenticatedRequest: c.onUnauthenticatedRequest))
            } else {
                kind = .unrecognized(type: "authenticate-cognito without its configuration")
            }
        default:
            kind = .unrecognized(type: action.type)
        }
        self.init(order: action.order, kind)
    }
}

extension Action {
    /// The action to send; `nil` for one `ce` cannot send back (the domain never asks: see `Route.moveProblem`).
    init?(_ action: RouteAction) {
        switch action.kind {
        case .forward(let forward):
            if forward.usesForwardConfig {
                self.init(
                    type: "forward", order: action.order,
                    forwardConfig: ForwardActionConfig(
                        targetGroups: forward.targetGroups.map { TargetGroupTuple(targetGroupArn: $0.arn, weight: $0.weight ?? 1) },
                        targetGroupStickinessConfig: forward.stickiness.map { .init(enabled: $0.enabled, durationSeconds: $0.durationSeconds) }))
            } else {
                guard let arn = forward.targetGroups.first?.arn, forward.targetGroups.count == 1 else { return nil }
                self.init(type: "forward", targetGroupArn: arn, order: action.order)
            }
        case .redirect(let r):
            self.init(
                type: "redirect", order: action.order,
                redirectConfig: .init(statusCode: r.statusCode, protocol_: r.protocolName, port: r.port, host: r.host, path: r.path, query: r.query))
        case .fixedResponse(let f):
            self.init(
                type: "fixed-response", order: action.order,
                fixedResponseConfig: .init(statusCode: f.statusCode, contentType: f.contentType, messageBody: f.messageBody))
        case .authenticateOIDC(let o):
            self.init(
                type: "authenticate-oidc", order: action.order,
                authenticateOidcConfig: .init(
                    issuer: o.issuer, authorizationEndpoint: o.authorizationEndpoint, tokenEndpoint: o.tokenEndpoint,
                    userInfoEndpoint: o.userInfoEndpoint, clientId: o.clientId, sessionCookieName: o.sessionCookieName, scope: o.scope,
                    sessionTimeout: o.sessionTimeout, authenticationRequestExtraParams: o.extraParams,
                    onUnauthenticatedRequest: o.onUnauthenticatedRequest, useExistingClientSecret: true))
        case .authenticateCognito(let c):
            self.init(
                type: "authenticate-cognito", order: action.order,
                authenticateCognitoConfig: .init(
                    userPoolArn: c.userPoolArn, userPoolClientId: c.userPoolClientId, userPoolDomain: c.userPoolDomain,
                    sessionCookieName: c.sessionCookieName, scope: c.scope, sessionTimeout: c.sessionTimeout,
                    authenticationRequestExtraParams: c.extraParams, onUnauthenticatedRequest: c.onUnauthenticatedRequest))
        case .unrecognized:
            return nil
        }
    }
}

extension Route {
    init(listener: Listener) {
        self.init(
            kind: .listenerDefault, arn: listener.listenerArn, listenerArn: listener.listenerArn, listenerPort: listener.port,
            actions: listener.defaultActions.map(RouteAction.init))
    }

    init(rule: Rule, listenerArn: String, listenerPort: Int?) {
        self.init(
            kind: .rule, arn: rule.ruleArn, listenerArn: listenerArn, listenerPort: listenerPort, priority: rule.priority,
            conditions: rule.conditions.map(RouteCondition.init), actions: rule.actions.map(RouteAction.init))
    }
}
