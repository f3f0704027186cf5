/// The status of a FirstPromoter batch process, as named by the API's `filters[status]`.
public enum BatchStatus: String, CaseIterable, Sendable, Hashable, Codable, Comparable {
    case pending
    case inProgress = "in_progress"
    case completed
    case failed
    case stopped

    /// Position in the lifecycle `pending < in_progress < completed | failed | stopped`.
    ///
    /// The three terminal statuses share a rank: the API never moves a batch from one to another.
    public var lifecycleRank: Int {
        switch self {
        case .pending: 0
        case .inProgress: 1
        case .completed, .failed, .stopped: 2
        }
    }

    /// Whether the batch has finished and will not change again.
    public var isTerminal: Bool { lifecycleRank == 2 }

    /// Statuses ordered by lifecycle first, then by declaration, so reports list them the same way every time.
    public static func < (lhs: BatchStatus, rhs: BatchStatus) -> Bool {
        (lhs.lifecycleRank, lhs.declarationIndex) < (rhs.lifecycleRank, rhs.declarationIndex)
    }

    private var declarationIndex: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}
