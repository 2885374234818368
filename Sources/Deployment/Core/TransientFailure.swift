/// An error worth another attempt: throttling, a server-side failure, a dropped connection. The AWS adapters and
/// the simulated cloud mark their errors; everything else is final.
public protocol TransientFailure: Error {
    var isTransient: Bool { get }
}

extension Error {
    /// Whether `self` is a `TransientFailure` that says so.
    public var isTransientFailure: Bool { (self as? any TransientFailure)?.isTransient == true }
}
