import HistoryStore
import Testing

@Suite struct EventKindTests {
    /// Read from bytes as from a string: every raw value, and nothing else.
    @Test(arguments: BatchEventKind.allCases.map(\.rawValue) + ["", "f", "first", "first_seen ", "Status", "progres", "reappearedd", "\u{FF}"])
    func kindFromUTF8(text: String) {
        var text = text
        let fromBytes = text.withUTF8 { BatchEventKind(utf8: $0) }
        #expect(fromBytes == BatchEventKind(rawValue: text))
    }
}
