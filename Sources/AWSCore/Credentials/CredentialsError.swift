import AWSSigner
/// Why no credentials could be had.
public enum CredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    case noCredentials(tried: [String])
    case unknownProfile(String)
    case malformedFile(path: String, line: Int, reason: String)
    case incompleteEnvironment(missing: String)
    case incompleteProfile(profile: String, reason: String)
    case profileCycle([String])
    case sourceFailed(source: String, reason: String)

    public var description: String {
        switch self {
        case .noCredentials(let tried):
            return "No AWS credentials found (looked at: \(tried.joined(separator: ", "))). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or configure a profile in ~/.aws/credentials and pass --profile."
        case .unknownProfile(let name):
            return "The AWS profile '\(name)' is not defined in the shared credentials or config file. Check --profile / AWS_PROFILE, or add [profile \(name)] to ~/.aws/config."
        case .malformedFile(let path, let line, let reason):
            return "\(path) line \(line): \(reason). Fix the file (it uses INI syntax: [section] and key = value lines)."
        case .incompleteEnvironment(let missing):
            return "\(missing) is not set although the other AWS key variable is. Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither."
        case .incompleteProfile(let profile, let reason):
            return "The AWS profile '\(profile)' is incomplete: \(reason)."
        case .profileCycle(let chain):
            return "The AWS profiles refer to each other in a loop (\(chain.joined(separator: " → "))). Fix source_profile in ~/.aws/config."
        case .sourceFailed(let source, let reason):
            return "Could not get AWS credentials from \(source): \(reason)."
        }
    }
}
