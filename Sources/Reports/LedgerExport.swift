import FPModel
import Foundation
import HistoryStore

/// `fpreport export batches`: the whole batch ledger as CSV, streamed from the store a row at a
/// time (RFC 4180, CRLF, neutralised text, times with their offset, as the report's CSV files).
///
/// Memory stays constant whatever the ledger's size: rows are rendered into a buffer of about a
/// megabyte, handed to `sink`, and forgotten.
public struct LedgerExport: Sendable {
    public static let columns = [
        "account_id", "batch_id", "status", "progress", "present", "first_seen_at", "status_since",
        "last_progress_change_at", "terminal_at", "last_seen_run",
    ]

    public var csv: CSVWriter

    public init(timeZone: TimeZone, byteOrderMark: Bool = false) {
        csv = CSVWriter(timeZone: timeZone, byteOrderMark: byteOrderMark)
    }

    /// Writes the header and every batch first seen in `[start, end)` (nil: unbounded) to `sink`;
    /// returns the number of batch rows.
    @discardableResult
    public func write(
        from history: any HistoryReader, firstSeenFrom start: UnixSeconds?, to end: UnixSeconds?,
        sink: @escaping @Sendable (String) throws -> Void
    ) async throws -> Int {
        struct Pending: Sendable {
            var buffer = ""
            var rows = 0
            var failure: String?
        }
        let csv = csv
        try sink(csv.header(Self.columns))
        let state = try await history.reduceLedger(firstSeenFrom: start, to: end, into: { Pending() }) { state, batch in
            guard state.failure == nil else { return }
            state.buffer += csv.record(Self.cells(batch))
            state.rows += 1
            if state.buffer.utf8.count >= 1 << 20 {
                do { try sink(state.buffer) } catch { state.failure = "\(error)" }
                state.buffer.removeAll(keepingCapacity: true)
            }
        }
        if let failure = state.failure { throw ReportError("cannot write the export: \(failure)") }
        try sink(state.buffer)
        return state.rows
    }

    static func cells(_ batch: LedgerBatch) -> [Cell] {
        [.text(batch.accountID), .text(batch.batchID), .text(batch.status.rawValue), .integer(batch.progress),
         .integer(batch.present ? 1 : 0), .timestamp(batch.firstSeenAt), .timestamp(batch.statusSince),
         .timestamp(batch.lastProgressChangeAt), batch.terminalAt.map(Cell.timestamp) ?? .empty, .integer(Int(batch.lastSeenRun))]
    }
}
