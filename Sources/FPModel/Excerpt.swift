/// A short, printable rendering of untrusted bytes for error text and the history.
///
/// Printable ASCII is kept; everything else (control characters, quotes' escapes aside, non-ASCII)
/// is written as `\xNN`, so an excerpt can be stored, logged and shown in HTML or CSV after the
/// usual escaping without carrying terminal escapes or invalid UTF-8.
public enum Excerpt {
    /// At most `limit` bytes of `bytes`, escaped, with `…(N bytes)` when cut.
    public static func make<Bytes: Collection<UInt8>>(_ bytes: Bytes, limit: Int = 80) -> String {
        var out = ""
        out.reserveCapacity(limit + 16)
        for byte in bytes.prefix(limit) {
            switch byte {
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        let count = bytes.count
        if count > limit { out += "…(\(count) bytes)" }
        return out
    }

    /// The same for text, by its UTF-8 bytes.
    public static func make(_ text: String, limit: Int = 80) -> String {
        make(Array(text.utf8), limit: limit)
    }
}

extension Excerpt {
    /// Untrusted text as it may appear in a message: control and non-ASCII bytes escaped, at most 60 bytes.
    public static func printable(_ text: String) -> String { make(text, limit: 60) }
}
