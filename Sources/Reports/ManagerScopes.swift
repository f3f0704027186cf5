import BatchMetrics

/// The reports of a night's managers (their own workbooks and pages, SPEC section 5), each over
/// that manager's accounts alone (section 4, Scopes).
///
/// Which account, batch and fetch belongs to whom is found in one pass over the night
/// (``NightMetrics/Scopes``); each manager's report is then made from their own rows when it is
/// written, one at a time, so the night is not held once per manager.
public struct ManagerScopes: Sendable {
    public let managers: [String]
    private let data: ReportData
    private let nights: NightMetrics.Scopes
    private let accounts: [Set<String>]

    /// The scopes of `managers` in `data`; an account whose manager is not among them is in none.
    public init(_ data: ReportData, managers: [String]) {
        self.data = data
        self.managers = managers
        let position = Dictionary(managers.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var scopeOf: [String: Int] = [:]
        var accounts = Array(repeating: Set<String>(), count: managers.count)
        for account in data.night.accounts {
            guard let part = position[account.manager] else { continue }
            scopeOf[account.accountID] = part
            accounts[part].insert(account.accountID)
        }
        self.accounts = accounts
        nights = NightMetrics.Scopes(data.night, count: managers.count) { scopeOf[$0] }
    }

    /// The report of the manager at `position` in ``managers``: every figure from their accounts alone.
    public func report(_ position: Int) -> ReportData {
        var scoped = ReportData(
            night: nights.night(position), trends: data.trends.scoped(to: accounts[position]), thresholds: data.thresholds,
            scope: managers[position], toolVersion: data.toolVersion)
        scoped.minimumFinishedForRanking = data.minimumFinishedForRanking
        return scoped
    }
}
