import FPModel
import Foundation
import GRDB
import GRDBSQLite
import HistoryStore

/// A text cell of the row a statement is on, read in place through the C API: valid only until
/// the statement steps again, so it is compared or copied at once.
struct SQLiteText {
    let bytes: UnsafeBufferPointer<UInt8>

    init(_ handle: SQLiteStatement, column: Int32) {
        // The text first, then its length: the order SQLite documents for reading a value as text.
        let text = sqlite3_column_text(handle, column)
        bytes = UnsafeBufferPointer(start: text, count: text == nil ? 0 : Int(sqlite3_column_bytes(handle, column)))
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    func equals(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == bytes.count && (utf8.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, utf8.count) == 0)
        }
    }

    var status: BatchStatus? { BatchStatus(utf8: bytes) }

    var eventKind: BatchEventKind? { BatchEventKind(utf8: bytes) }
}
