import Foundation

/// Durations as operators read them: `45s`, `3m12s`, `1h05m`.
public enum DurationText {
    public static func of(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds).rounded(.down))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", s / 60 % 60))m"
    }
}
