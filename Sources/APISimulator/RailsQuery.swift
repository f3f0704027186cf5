import FPModel

/// How a Rails server reads `filters[status]` from a query string.
///
/// `filters[status]=a` sets a single value; `filters[status][]=a&filters[status][]=b` builds an
/// array; a repeated plain key keeps only the last value (the trap the client must avoid).
enum RailsQuery {
    /// The requested statuses: nil when there is no filter (every batch), otherwise the named ones.
    /// Unknown status names match nothing.
    static func statusFilter(query: String?) -> Set<String>? {
        guard let query, !query.isEmpty else { return nil }
        var plain: String?
        var array: [String]?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            switch key {
            case "filters[status]":
                plain = value
                array = nil
            case "filters[status][]":
                array = (array ?? []) + [value]
                plain = nil
            default:
                continue
            }
        }
        if let array { return Set(array) }
        if let plain { return [plain] }
        return nil
    }

    /// The first requested value that is not one of the contract's five statuses (`filters[status]=`
    /// with nothing after it included), if any: the API answers such a request with 400.
    static func invalidStatus(in filter: Set<String>?) -> String? {
        filter?.sorted().first { BatchStatus(rawValue: $0) == nil }
    }

    /// Percent-decoding with `+` as space, as `application/x-www-form-urlencoded` has it.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                if let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                {
                    bytes.append(value)
                }
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
