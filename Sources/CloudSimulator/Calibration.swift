import Foundation

/// How the simulated AWS behaves where real AWS is slower or stricter than an ideal cloud, with defaults taken from
/// AWS's documentation (`aws`). Unit tests run `instant` unless they test one of these; the soak, the sandbox and
/// `ce simulate compare` run `aws`, so that no deploy's safety depends on them being zero.
public struct Calibration: Codable, Sendable, Equatable {
    /// Seconds a listener or rule change takes to reach every node of the load balancer. AWS: "rule updates don't
    /// take effect immediately, so requests could be routed using the previous rule configuration for a short time
    /// after updating a rule". Each node picks a change up at its own moment within this window (changes to one
    /// route arrive at a node in the order they were made), so requests meanwhile may go either way.
    public var propagationSeconds: Double
    /// Nodes of the load balancer (one per zone); a request reaches one of them at random.
    public var loadBalancerNodes: Int
    /// ELBv2 `Describe*` calls share a token bucket (AWS: about 40, refilled 10 per second, per account and region);
    /// a call that finds it empty is answered `Throttling`. `nil`: no limit.
    public var describeBucket: TokenBucket?
    /// CloudWatch: load balancer metrics come in periods of this many seconds…
    public var metricPeriodSeconds: Double
    /// …and a period is seen this long after it ends (ALB metrics: often about two minutes). `nil`: alarms see the
    /// errors of the last `Alarm.periodSeconds` at once (a sliding window, no lag).
    public var metricLagSeconds: Double?

    /// A token bucket: `capacity` tokens, `refillPerSecond` added back each second.
    public struct TokenBucket: Codable, Sendable, Equatable {
        public var capacity: Double
        public var refillPerSecond: Double

        public init(capacity: Double, refillPerSecond: Double) {
            self.capacity = capacity
            self.refillPerSecond = refillPerSecond
        }
    }

    public init(
        propagationSeconds: Double = 0, loadBalancerNodes: Int = 3, describeBucket: TokenBucket? = nil, metricPeriodSeconds: Double = 60,
        metricLagSeconds: Double? = nil
    ) {
        self.propagationSeconds = propagationSeconds
        self.loadBalancerNodes = loadBalancerNodes
        self.describeBucket = describeBucket
        self.metricPeriodSeconds = metricPeriodSeconds
        self.metricLagSeconds = metricLagSeconds
    }

    /// An ideal cloud: changes reach every node at once, no rate limit, alarms see errors at once.
    public static let instant = Calibration()

    /// As AWS documents it: 5 s propagation over 3 nodes, the `Describe*` bucket of 40 refilled 10/s, metrics in 60 s
    /// periods seen 2 minutes late.
    public static let aws = Calibration(
        propagationSeconds: 5, loadBalancerNodes: 3, describeBucket: TokenBucket(capacity: 40, refillPerSecond: 10), metricPeriodSeconds: 60,
        metricLagSeconds: 120)

    /// The longest an alarm takes to see an error: the lag plus the period the error falls in.
    public var alarmDelaySeconds: Double { metricLagSeconds.map { $0 + metricPeriodSeconds } ?? 0 }
}
