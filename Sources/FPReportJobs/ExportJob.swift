import BatchMetrics
import FPConfig
import FPModel
import Foundation
import HistoryBackends
import HistoryStore
import Reports

/// `fpreport export batches`: the whole batch ledger as CSV, for what a night's report leaves out.
public struct ExportJob: Sendable {
    public var config: FPConfiguration
    /// First day (`YYYY-MM-DD`, report time zone) whose first sightings are included; nil: from the start.
    public var since: String?
    /// Last day included; nil: up to now.
    public var until: String?

    public init(config: FPConfiguration, since: String? = nil, until: String? = nil) {
        self.config = config
        self.since = since
        self.until = until
    }

    /// Streams the ledger to `sink`; returns the number of batch rows.
    @discardableResult
    public func run(store: (any HistoryReader)? = nil, sink: @escaping @Sendable (String) throws -> Void) async throws -> Int {
        let zone = config.reports.timezone
        func day(_ text: String?, option: String) throws -> ReportWindow? {
            guard let text else { return nil }
            guard let window = ReportWindow(date: text, timeZone: zone) else {
                throw ConfigError(file: option, "expected a calendar date YYYY-MM-DD, got \"\(Excerpt.printable(text))\"")
            }
            return window
        }
        let from = try day(since, option: "--since")
        let to = try day(until, option: "--until")
        if let from, let to, from.start > to.start {
            throw ConfigError(file: "--since", "\(from.date) is after --until \(to.date)")
        }
        let history = try await config.history(given: store)
        return try await LedgerExport(timeZone: zone).write(from: history, firstSeenFrom: from?.start, to: to?.end, sink: sink)
    }
}
