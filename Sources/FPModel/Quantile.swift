/// Quantiles by the nearest-rank method: always a value that was observed.
public enum Quantile {
    /// The value at quantile `q` (0...1) of `sorted` (ascending); nil when empty.
    public static func nearestRank<T>(_ sorted: [T], _ q: Double) -> T? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
