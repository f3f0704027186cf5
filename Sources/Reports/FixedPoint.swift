#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `%.Nf` formatting through C's `vsnprintf` into a stack buffer.
///
/// Foundation's `String(format:)` (with a `Locale` made per call, as the CSV writer did) cost
/// microseconds a cell: 12 s of a 10,000-account CSV set. The process never calls `setlocale`,
/// so C's formatting stays in the "C" locale: `.` decimals, no grouping, the same digits.
enum FixedPoint {
    static func format(_ value: Double, digits: Int) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 352) { buffer in
            let count = withVaList([value]) { vsnprintf(buffer.baseAddress, buffer.count, digitsFormat(digits), $0) }
            let length = min(max(0, Int(count)), buffer.count - 1)
            return buffer.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
        }
    }

    private static func digitsFormat(_ digits: Int) -> String {
        switch digits {
        case 1: "%.1f"
        case 2: "%.2f"
        case 4: "%.4f"
        default: "%.\(digits)f"
        }
    }
}
