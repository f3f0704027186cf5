import FPModel
import Foundation

/// Strict decoding of a `200` body: a JSON object of decimal-digit keys to integers 0...100.
///
/// Anything else is rejected with a reason, so a server bug or a proxy's HTML page is never stored as data.
public enum ProgressDecoder {
    /// Why a body was refused.
    public struct Failure: Error, Sendable, Hashable {
        public var reason: String
    }

    /// The progress map in `body`, in no particular order.
    public static func decode(_ body: some Collection<UInt8>) throws(Failure) -> [String: Int] {
        let data = Data(body)
        let raw: [String: StrictProgress]
        do {
            raw = try JSONDecoder().decode([String: StrictProgress].self, from: data)
        } catch let DecodingError.typeMismatch(_, context) {
            throw Failure(reason: context.codingPath.isEmpty
                ? "expected a JSON object of batch id to progress"
                : "value for key \(keyName(context.codingPath)) is not an integer")
        } catch let DecodingError.dataCorrupted(context) {
            throw Failure(reason: context.codingPath.isEmpty
                ? "not valid JSON"
                : "value for key \(keyName(context.codingPath)) is not an integer")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Failure(reason: "value for key \(keyName(context.codingPath)) is null")
        } catch {
            throw Failure(reason: "not valid JSON")
        }
        var result: [String: Int] = [:]
        result.reserveCapacity(raw.count)
        for (key, value) in raw {
            guard isBatchID(key) else {
                throw Failure(reason: "key \(Excerpt.make(key, limit: 24)) is not a batch id (decimal digits)")
            }
            guard (0...100).contains(value.value) else {
                throw Failure(reason: "progress \(value.value) for batch \(key) is outside 0...100")
            }
            result[key] = value.value
        }
        return result
    }

    /// Batch ids are 1 to 19 decimal digits (they fit a signed 64-bit integer).
    public static func isBatchID(_ key: String) -> Bool {
        let utf8 = key.utf8
        return (1...19).contains(utf8.count) && utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    private static func keyName(_ path: [any CodingKey]) -> String {
        Excerpt.make(path.last?.stringValue ?? "?", limit: 24)
    }

    /// A JSON number with an integral value (`7`, `7.0`); booleans, strings and fractions are refused.
    private struct StrictProgress: Decodable {
        var value: Int

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            let number = try container.decode(Double.self)
            guard number.rounded() == number, let exact = Int(exactly: number) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer")
            }
            value = exact
        }
    }
}
