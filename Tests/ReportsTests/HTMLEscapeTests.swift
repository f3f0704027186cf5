import Testing

@testable import Reports

@Suite struct HTMLEscapeTests {
    @Test(arguments: [
        ("acc-00001", "acc-00001"),
        ("Café Ünïcode — ok", "Café Ünïcode — ok"),
        ("tab\tline\nreturn\r", "tab\tline\nreturn\r"),
        ("<script>&\"'", "&lt;script&gt;&amp;&quot;&#39;"),
        ("bell\u{7}nul\u{0}del\u{7F}", "bell\u{FFFD}nul\u{FFFD}del\u{FFFD}"),
        ("é<b>", "é&lt;b&gt;"),
        ("", ""),
    ])
    func markupQuotesAndControlCharactersAreReplacedAndNothingElse(text: String, expected: String) {
        #expect(HTML.escape(text) == expected)
    }
}
