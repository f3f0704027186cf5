import Foundation

/// A FirstPromoter API key.
///
/// The secret is reachable only through ``withAuthorizationHeader(_:)``, and every way Swift has of turning a
/// value into text (`description`, `debugDescription`, `dump`, string interpolation) shows a
/// placeholder, so a key cannot reach a log line, an error message or a test failure by accident.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let secret: String

    /// Wraps `secret`; returns nil when it is empty or only white space.
    public init?(_ secret: String) {
        let trimmed = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        self.secret = trimmed
    }

    /// Passes the `Authorization` header value (`Bearer …`) to `body`; call only where the header is built.
    public func withAuthorizationHeader<R>(_ body: (String) throws -> R) rethrows -> R {
        try body("Bearer \(secret)")
    }

    public var description: String { "APIKey(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
