/// A number per batch status, stored inline: hundreds of thousands of these (per account, per
/// day) cost no allocation each, unlike a dictionary.
public struct StatusCounts: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public var pending = 0
    public var inProgress = 0
    public var completed = 0
    public var failed = 0
    public var stopped = 0

    public init() {}

    public init(dictionaryLiteral elements: (BatchStatus, Int)...) {
        for (status, value) in elements { self[status] += value }
    }

    public subscript(status: BatchStatus) -> Int {
        get {
            switch status {
            case .pending: pending
            case .inProgress: inProgress
            case .completed: completed
            case .failed: failed
            case .stopped: stopped
            }
        }
        set {
            switch status {
            case .pending: pending = newValue
            case .inProgress: inProgress = newValue
            case .completed: completed = newValue
            case .failed: failed = newValue
            case .stopped: stopped = newValue
            }
        }
    }

    /// The sum over statuses.
    public var total: Int { pending + inProgress + completed + failed + stopped }

    public static func += (lhs: inout StatusCounts, rhs: StatusCounts) {
        for status in BatchStatus.allCases { lhs[status] += rhs[status] }
    }
}
