/// Predicates for tests that must be able to fail.
extension Collection {
    /// Whether the collection has elements and every one satisfies `predicate`. `allSatisfy` alone is true for an empty
    /// collection, so a check over a list that came back empty would pass without checking anything.
    public func isNonEmptyAndAll(_ predicate: (Element) throws -> Bool) rethrows -> Bool {
        try !isEmpty && allSatisfy(predicate)
    }
}
