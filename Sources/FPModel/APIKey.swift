import Foundation

/// A FirstPromoter API key.
///
/// The secret is reachable only through ``withAuthorizationHeader(_:)`` (and, to find it in
/// text a server sent back, ``SecretRedactor``), and every way Swift has of turning a
/// value into text (`description`, `debugDescription`, `dump`, string interpolation) shows a
/// placeholder, so a key cannot reach a log line, an error message or a test failure by accident.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    fileprivate let secret: String

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

/// Takes API keys out of text that came from a server (error messages, codes, body excerpts)
/// before it is stored, logged or rendered: proxies and gateways echo the `Authorization`
/// header back. Each key is looked for as it is, percent-encoded, JSON-escaped, and in base64
/// (standard and URL-safe, at each of the three alignments a key can have inside a longer
/// encoded text).
public struct SecretRedactor: Sendable {
    public static let marker = "[redacted]"
    /// Every form of every key, longest first so that no shorter form leaves part of a longer one.
    private let forms: [String]
    /// The shortest form's length in bytes: shorter text cannot hold a key (most batch ids).
    private let shortest: Int

    public init(_ keys: some Sequence<APIKey>) {
        var forms = Set<String>()
        for key in keys { forms.formUnion(Self.forms(of: key.secret)) }
        self.forms = forms.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
        shortest = self.forms.map(\.utf8.count).min() ?? .max
    }

    /// `text` with every form of every key replaced by ``marker``.
    public func redact(_ text: String) -> String {
        guard text.utf8.count >= shortest else { return text }
        var text = text
        for form in forms where text.contains(form) {
            text = text.replacingOccurrences(of: form, with: Self.marker)
        }
        return text
    }

    static func forms(of secret: String) -> Set<String> {
        var forms: Set<String> = [secret, secret.replacingOccurrences(of: "/", with: "\\/")]
        // Encoders differ on `-._~`: RFC 3986 keeps them, stricter ones escape all but letters and digits.
        let alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        for allowed in [alphanumeric + "-._~", alphanumeric] {
            guard let encoded = secret.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: allowed)) else { continue }
            forms.insert(encoded)
            forms.insert(lowercasingPercentEscapes(encoded))
            forms.insert(encoded.replacingOccurrences(of: "%20", with: "+"))
        }
        let bytes = Array(secret.utf8)
        for shift in 0..<3 {
            // With `shift` bytes before it, the key's own characters start after the first
            // ceil(shift × 4 / 3) characters; the last group is cut when padding touches it.
            let encoded = Data(Array(repeating: 0, count: shift) + bytes).base64EncodedString()
            var core = Substring(encoded).dropFirst((shift * 4 + 2) / 3)
            if (shift + bytes.count) % 3 != 0 { core = core.dropLast(4) }
            // A short key's cores are too short to be its own: they could match anything.
            if core.count >= 12 { forms.formUnion(bothAlphabets(String(core))) }
            if shift == 0 { forms.formUnion(bothAlphabets(encoded).union(bothAlphabets(String(encoded.prefix { $0 != "=" })))) }
        }
        return forms.filter { !$0.isEmpty }
    }

    /// `text` in base64's standard alphabet and its URL-safe one.
    private static func bothAlphabets(_ text: String) -> Set<String> {
        [text, text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")]
    }

    private static func lowercasingPercentEscapes(_ text: String) -> String {
        var out = ""
        var remaining = 0
        for character in text {
            if character == "%" { remaining = 2; out.append(character); continue }
            out += remaining > 0 ? character.lowercased() : String(character)
            remaining = max(0, remaining - 1)
        }
        return out
    }
}
