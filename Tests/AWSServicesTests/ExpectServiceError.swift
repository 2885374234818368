import AWSCore
import Testing

/// Asserts that `body` throws an `AWSServiceError` with `code`, and returns it.
@discardableResult
func expectServiceError(
    _ code: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> AWSServiceError? {
    do {
        try await body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as AWSServiceError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected AWSServiceError \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
