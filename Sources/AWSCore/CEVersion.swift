/// The version of `ce`, reported by `ce --version` and in the User-Agent.
public enum CEVersion {
    public static let current = "0.1.0"
}
