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

    /// The status whose raw value `bytes` spell, without making a string: for readers of
    /// millions of rows. Nil for anything else, as `init(rawValue:)`.
    @inlinable
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        let candidate: BatchStatus
        switch bytes.first {
        case UInt8(ascii: "p"): candidate = .pending
        case UInt8(ascii: "i"): candidate = .inProgress
        case UInt8(ascii: "c"): candidate = .completed
        case UInt8(ascii: "f"): candidate = .failed
        case UInt8(ascii: "s"): candidate = .stopped
        default: return nil
        }
        guard candidate.isSpelled(by: bytes) else { return nil }
        self = candidate
    }

    /// Whether the batch has finished and will not change again.
    public var isTerminal: Bool { lifecycleRank == 2 }

    /// Statuses ordered by lifecycle first, then by declaration, so reports list them the same way every time.
    public static func < (lhs: BatchStatus, rhs: BatchStatus) -> Bool {
        (lhs.lifecycleRank, lhs.declarationIndex) < (rhs.lifecycleRank, rhs.declarationIndex)
    }

    private var declarationIndex: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}

extension RawRepresentable where RawValue == String {
    /// Whether `bytes` are this value's raw value in UTF-8, for the `init?(utf8:)` of enums read
    /// by the million (the raw values are literals, already stored as UTF-8).
    @inlinable
    public func isSpelled(by bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let equal = rawValue.utf8.withContiguousStorageIfAvailable { raw in
            raw.count == bytes.count && zip(raw, bytes).allSatisfy { $0 == $1 }
        }
        return equal ?? bytes.elementsEqual(rawValue.utf8)
    }
}
