extension NightMetrics {
    /// Several scopes of one night (a report's managers), each account in one scope at most.
    ///
    /// Where each scope's accounts, batches, flags, fetches and terminal times are in the night's
    /// arrays is found in one pass over them, and a scope's night is made from its own positions
    /// when asked for. Filtering the whole night once per scope made a report's cost grow with
    /// accounts × managers: 1 s of CPU with 200 managers on a 10,000-account night.
    /// Positions, not copies: the scopes' nights are made one at a time, as they are written.
    public struct Scopes: Sendable {
        private struct Positions: Sendable {
            var accounts: [Int] = []
            var batches: [Int] = []
            var flagged: [Int] = []
            var fetches: [Int] = []
            var terminalDurations: [Int] = []
        }

        private let whole: NightMetrics
        private let positions: [Positions]

        /// `count` scopes; `scope` gives an account's (0..<count), or nil for an account in none.
        public init(_ night: NightMetrics, count: Int, scope: (String) -> Int?) {
            whole = night
            var positions = Array(repeating: Positions(), count: count)
            // One lookup per row of the night, whatever the number of scopes.
            for (position, account) in night.accounts.enumerated() {
                if let part = scope(account.accountID) { positions[part].accounts.append(position) }
            }
            for (position, batch) in night.batches.enumerated() {
                if let part = scope(batch.accountID) { positions[part].batches.append(position) }
            }
            for (position, flag) in night.flagged.enumerated() {
                if let part = scope(flag.accountID) { positions[part].flagged.append(position) }
            }
            for (position, fetch) in night.fetches.enumerated() {
                if let part = scope(fetch.accountID) { positions[part].fetches.append(position) }
            }
            for (position, duration) in night.terminalDurations.enumerated() {
                if let part = scope(duration.accountID) { positions[part].terminalDurations.append(position) }
            }
            self.positions = positions
        }

        /// The night of scope `part`: its parts alone, with the scope's own figures computed from them.
        public func night(_ part: Int) -> NightMetrics {
            let own = positions[part]
            var night = whole
            night.accounts = own.accounts.map { whole.accounts[$0] }
            night.batches = own.batches.map { whole.batches[$0] }
            night.flagged = own.flagged.map { whole.flagged[$0] }
            night.fetches = own.fetches.map { whole.fetches[$0] }
            night.terminalDurations = own.terminalDurations.map { whole.terminalDurations[$0] }
            night.computeScopeFigures()
            return night
        }
    }
}
