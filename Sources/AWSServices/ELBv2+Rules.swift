import AWSCore

// The shapes of listener and rule actions and of rule conditions, complete enough that a rule read with
// DescribeRules can be sent back with ModifyRule unchanged except for what `ce` means to change.

/// A listener or rule action: `forward` (with `targetGroupArn`, or `forwardConfig` for weights and stickiness),
/// `redirect`, `fixed-response`, `authenticate-oidc` or `authenticate-cognito`, run in `order`.
public struct Action: Codable, Sendable, Hashable {
    public var type: String
    public var targetGroupArn: String?
    public var order: Int?
    public var forwardConfig: ForwardActionConfig?
    public var fixedResponseConfig: FixedResponseActionConfig?
    public var redirectConfig: RedirectActionConfig?
    public var authenticateOidcConfig: AuthenticateOidcActionConfig?
    public var authenticateCognitoConfig: AuthenticateCognitoActionConfig?

    public init(
        type: String, targetGroupArn: String? = nil, order: Int? = nil, forwardConfig: ForwardActionConfig? = nil,
        fixedResponseConfig: FixedResponseActionConfig? = nil, redirectConfig: RedirectActionConfig? = nil,
        authenticateOidcConfig: AuthenticateOidcActionConfig? = nil, authenticateCognitoConfig: AuthenticateCognitoActionConfig? = nil
    ) {
        self.type = type
        self.targetGroupArn = targetGroupArn
        self.order = order
        self.forwardConfig = forwardConfig
        self.fixedResponseConfig = fixedResponseConfig
        self.redirectConfig = redirectConfig
        self.authenticateOidcConfig = authenticateOidcConfig
        self.authenticateCognitoConfig = authenticateCognitoConfig
    }

    /// A plain forward to one target group.
    public static func forward(to targetGroupArn: String) -> Action {
        Action(type: "forward", targetGroupArn: targetGroupArn)
    }

    /// A weighted forward; `stickinessSeconds` enables target-group stickiness.
    public static func weightedForward(_ weights: [(targetGroupArn: String, weight: Int)], stickinessSeconds: Int? = nil)
        -> Action
    {
        Action(
            type: "forward",
            forwardConfig: ForwardActionConfig(
                targetGroups: weights.map { TargetGroupTuple(targetGroupArn: $0.targetGroupArn, weight: $0.weight) },
                targetGroupStickinessConfig: stickinessSeconds.map {
                    TargetGroupStickinessConfig(enabled: true, durationSeconds: $0)
                }))
    }

    /// The target groups this action sends traffic to, with their weights (a plain forward counts as weight 1).
    public var forwardWeights: [String: Int] {
        guard type == "forward" else { return [:] }
        if let groups = forwardConfig?.targetGroups, !groups.isEmpty {
            return Dictionary(groups.map { ($0.targetGroupArn, $0.weight ?? 1) }, uniquingKeysWith: +)
        }
        return targetGroupArn.map { [$0: 1] } ?? [:]
    }
}

public struct ForwardActionConfig: Codable, Sendable, Hashable {
    @QueryList public var targetGroups: [TargetGroupTuple]
    public var targetGroupStickinessConfig: TargetGroupStickinessConfig?

    public init(targetGroups: [TargetGroupTuple], targetGroupStickinessConfig: TargetGroupStickinessConfig? = nil) {
        self.targetGroups = targetGroups
        self.targetGroupStickinessConfig = targetGroupStickinessConfig
    }
}

public struct TargetGroupTuple: Codable, Sendable, Hashable {
    public var targetGroupArn: String
    public var weight: Int?
    public init(targetGroupArn: String, weight: Int? = nil) {
        self.targetGroupArn = targetGroupArn
        self.weight = weight
    }
}

public struct TargetGroupStickinessConfig: Codable, Sendable, Hashable {
    public var enabled: Bool?
    public var durationSeconds: Int?
    public init(enabled: Bool?, durationSeconds: Int?) {
        self.enabled = enabled
        self.durationSeconds = durationSeconds
    }
}

public struct FixedResponseActionConfig: Codable, Sendable, Hashable {
    public var statusCode: String
    public var contentType: String?
    public var messageBody: String?
    public init(statusCode: String, contentType: String? = nil, messageBody: String? = nil) {
        self.statusCode = statusCode
        self.contentType = contentType
        self.messageBody = messageBody
    }
}

public struct RedirectActionConfig: Codable, Sendable, Hashable {
    public var statusCode: String
    public var protocol_: String?
    public var port: String?
    public var host: String?
    public var path: String?
    public var query: String?

    public init(statusCode: String, protocol_: String? = nil, port: String? = nil, host: String? = nil, path: String? = nil, query: String? = nil) {
        self.statusCode = statusCode
        self.protocol_ = protocol_
        self.port = port
        self.host = host
        self.path = path
        self.query = query
    }

    enum CodingKeys: String, CodingKey {
        case statusCode, protocol_ = "protocol", port, host, path, query
    }
}

/// `authenticate-oidc`. The client secret is deliberately not a field: AWS does not return it, `ce` never holds or
/// shows it, and a rule sent back keeps its secret with `useExistingClientSecret`.
public struct AuthenticateOidcActionConfig: Codable, Sendable, Hashable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var userInfoEndpoint: String
    public var clientId: String
    public var sessionCookieName: String?
    public var scope: String?
    public var sessionTimeout: Int64?
    @QueryMap public var authenticationRequestExtraParams: [String: String]
    /// `deny`, `allow` or `authenticate`.
    public var onUnauthenticatedRequest: String?
    public var useExistingClientSecret: Bool?

    public init(
        issuer: String, authorizationEndpoint: String, tokenEndpoint: String, userInfoEndpoint: String, clientId: String,
        sessionCookieName: String? = nil, scope: String? = nil, sessionTimeout: Int64? = nil,
        authenticationRequestExtraParams: [String: String] = [:], onUnauthenticatedRequest: String? = nil,
        useExistingClientSecret: Bool? = nil
    ) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.userInfoEndpoint = userInfoEndpoint
        self.clientId = clientId
        self.sessionCookieName = sessionCookieName
        self.scope = scope
        self.sessionTimeout = sessionTimeout
        self.authenticationRequestExtraParams = authenticationRequestExtraParams
        self.onUnauthenticatedRequest = onUnauthenticatedRequest
        self.useExistingClientSecret = useExistingClientSecret
    }
}

/// `authenticate-cognito`.
public struct AuthenticateCognitoActionConfig: Codable, Sendable, Hashable {
    public var userPoolArn: String
    public var userPoolClientId: String
    public var userPoolDomain: String
    public var sessionCookieName: String?
    public var scope: String?
    public var sessionTimeout: Int64?
    @QueryMap public var authenticationRequestExtraParams: [String: String]
    public var onUnauthenticatedRequest: String?

    public init(
        userPoolArn: String, userPoolClientId: String, userPoolDomain: String, sessionCookieName: String? = nil,
        scope: String? = nil, sessionTimeout: Int64? = nil, authenticationRequestExtraParams: [String: String] = [:],
        onUnauthenticatedRequest: String? = nil
    ) {
        self.userPoolArn = userPoolArn
        self.userPoolClientId = userPoolClientId
        self.userPoolDomain = userPoolDomain
        self.sessionCookieName = sessionCookieName
        self.scope = scope
        self.sessionTimeout = sessionTimeout
        self.authenticationRequestExtraParams = authenticationRequestExtraParams
        self.onUnauthenticatedRequest = onUnauthenticatedRequest
    }
}

/// A rule condition: `path-pattern`, `host-header`, `http-header`, `http-request-method`, `query-string` or
/// `source-ip`, each in its `*Config` form or (path and host) the legacy `Values`.
public struct RuleCondition: Codable, Sendable, Hashable {
    public var field: String?
    @QueryList public var values: [String]
    @QueryList public var regexValues: [String]
    public var pathPatternConfig: ValuesConfig?
    public var hostHeaderConfig: ValuesConfig?
    public var httpHeaderConfig: HttpHeaderConditionConfig?
    public var httpRequestMethodConfig: ValuesConfig?
    public var queryStringConfig: QueryStringConditionConfig?
    public var sourceIpConfig: ValuesConfig?

    public init(
        field: String, values: [String] = [], pathPatternConfig: ValuesConfig? = nil, hostHeaderConfig: ValuesConfig? = nil,
        httpHeaderConfig: HttpHeaderConditionConfig? = nil, httpRequestMethodConfig: ValuesConfig? = nil,
        queryStringConfig: QueryStringConditionConfig? = nil, sourceIpConfig: ValuesConfig? = nil
    ) {
        self.field = field
        self.values = values
        self.regexValues = []
        self.pathPatternConfig = pathPatternConfig
        self.hostHeaderConfig = hostHeaderConfig
        self.httpHeaderConfig = httpHeaderConfig
        self.httpRequestMethodConfig = httpRequestMethodConfig
        self.queryStringConfig = queryStringConfig
        self.sourceIpConfig = sourceIpConfig
    }

    public static func pathPattern(_ patterns: [String]) -> RuleCondition {
        RuleCondition(field: "path-pattern", pathPatternConfig: ValuesConfig(values: patterns))
    }

    public static func hostHeader(_ hosts: [String]) -> RuleCondition {
        RuleCondition(field: "host-header", hostHeaderConfig: ValuesConfig(values: hosts))
    }

    public static func httpHeader(_ name: String, _ values: [String]) -> RuleCondition {
        RuleCondition(field: "http-header", httpHeaderConfig: HttpHeaderConditionConfig(httpHeaderName: name, values: values))
    }

    /// The path patterns, from `PathPatternConfig` or the legacy `Values`.
    public var pathPatterns: [String] {
        guard field == "path-pattern" else { return [] }
        let configured = pathPatternConfig?.values ?? []
        return configured.isEmpty ? values : configured
    }

    /// The host names, from `HostHeaderConfig` or the legacy `Values`.
    public var hostHeaders: [String] {
        guard field == "host-header" else { return [] }
        let configured = hostHeaderConfig?.values ?? []
        return configured.isEmpty ? values : configured
    }
}

public struct ValuesConfig: Codable, Sendable, Hashable {
    @QueryList public var values: [String]
    /// Regular-expression matching (path and host conditions), when the rule uses it.
    @QueryList public var regexValues: [String]
    public init(values: [String], regexValues: [String] = []) {
        self.values = values
        self.regexValues = regexValues
    }
}

public struct HttpHeaderConditionConfig: Codable, Sendable, Hashable {
    public var httpHeaderName: String?
    @QueryList public var values: [String]
    @QueryList public var regexValues: [String]
    public init(httpHeaderName: String, values: [String], regexValues: [String] = []) {
        self.httpHeaderName = httpHeaderName
        self.values = values
        self.regexValues = regexValues
    }
}

public struct QueryStringConditionConfig: Codable, Sendable, Hashable {
    @QueryList public var values: [QueryStringKeyValuePair]
    public init(values: [QueryStringKeyValuePair]) { self.values = values }
}

public struct QueryStringKeyValuePair: Codable, Sendable, Hashable {
    public var key: String?
    public var value: String?
    public init(key: String?, value: String?) {
        self.key = key
        self.value = value
    }
}
