/// The words a person reads for a report column or a summary metric: the workbook's headers and
/// the pages' tables show these; CSV keeps the machine names (SPEC section 5).
///
/// Made from the machine name by one rule, with the few names whose words differ listed: so a
/// new column gets readable words without a second list to keep in step.
public enum ColumnLabel {
    static let words: [String: String] = [
        "account_id": "Account", "account_name": "Name", "batch_id": "Batch", "terminal_at": "Finished at",
        "first_seen_at": "First seen at", "last_change_at": "Last change at", "has_data": "Has data (1 = collected)",
        "counts_observed_at": "Counts observed at", "stuck_in_progress": "Stuck", "collection_error": "Collection error",
        "rate_limited_429": "Rate limited (429)", "accounts_ok_at_least_once": "Accounts OK at least once",
        "accounts_collected_ok": "Accounts collected OK", "last_run_id": "Last run", "key": "What",
        "batches_seen_under_two_statuses": "Batches seen under two statuses",
    ]

    /// `time_to_terminal_p50_hours` → "Time to terminal p50 (h)", `latency_p95_ms` → "Latency p95 (ms)".
    public static func label(_ name: String) -> String {
        if let known = words[name] { return known }
        var parts = name.split(separator: "_").map(String.init)
        var unit = ""
        switch parts.last {
        case "hours": unit = " (h)"
        case "ms": unit = " (ms)"
        default: break
        }
        if !unit.isEmpty { parts.removeLast() }
        let text = parts.joined(separator: " ")
        return (text.prefix(1).uppercased() + text.dropFirst()) + unit
    }
}
