/// A double-quoted string literal, valid as JSON and as JavaScript, for text from an API, a
/// configuration or a client: the report's accounts script and the simulator's error bodies.
public enum JSONString {
    /// A double-quoted string literal that cannot end its script or its string early: quotes,
    /// backslashes, control characters, `<` and the two JavaScript line separators are escaped.
    public static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<": out += "\\u003c"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
