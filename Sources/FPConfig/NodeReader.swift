import FPModel
import Foundation
import Yams

/// Typed, strict reads of YAML nodes; every failure names the file, line and key.
struct NodeReader {
    let file: String

    func error(_ node: Node, key: String?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, key: key, message)
    }

    /// The mapping's values by key; keys outside `allowed` are an error (typos must not pass silently).
    func mapping(_ node: Node, key: String?, allowed: [String]) throws(ConfigError) -> [String: Node] {
        guard let mapping = node.mapping else {
            throw error(node, key: key, "expected a mapping of keys (\(allowed.joined(separator: ", ")))")
        }
        var values: [String: Node] = [:]
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? ""
            let path = key.map { "\($0).\(name)" } ?? name
            guard allowed.contains(name) else {
                throw error(keyNode, key: path, "unknown key; expected one of: \(allowed.joined(separator: ", "))")
            }
            guard values[name] == nil else { throw error(keyNode, key: path, "key given twice") }
            values[name] = value
        }
        return values
    }

    func string(_ node: Node, key: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw error(node, key: key, "expected a non-empty text value")
        }
        return scalar.string
    }

    func int(_ node: Node, key: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingOccurrences(of: "_", with: "")),
            range.contains(value)
        else {
            throw error(node, key: key, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(Excerpt.printable(node.string ?? "a non-scalar"))\"")
        }
        return value
    }

    func number(_ node: Node, key: String, _ range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite, range.contains(value) else {
            throw error(node, key: key, "expected a number from \(format(range.lowerBound)) to \(format(range.upperBound)), got \"\(Excerpt.printable(node.string ?? "a non-scalar"))\"")
        }
        return value
    }

    func variableName(_ node: Node, key: String) throws(ConfigError) -> String {
        let name = try string(node, key: key)
        let valid = name.utf8.first.map { !(0x30...0x39).contains($0) } ?? false
            && name.utf8.allSatisfy { $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
        guard valid else {
            throw error(node, key: key, "expected the name of an environment variable (letters, digits, _), not a key itself")
        }
        return name
    }

    /// `https://…`, or `http://` to a loopback host only (a key must never cross a network in clear).
    func baseURL(_ node: Node, key: String) throws(ConfigError) -> URL {
        let text = try string(node, key: key)
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil
        else {
            throw error(node, key: key, "expected an absolute URL such as https://api.firstpromoter.com/api/v2/company")
        }
        // `http://127.0.0.1@evil.example/` names evil.example: a user part only hides the real host.
        guard url.user == nil, url.password == nil else {
            throw error(node, key: key, "a URL with a user name or password before the host is not accepted")
        }
        switch scheme {
        case "https": return url
        case "http" where Self.isLoopback(host): return url
        case "http": throw error(node, key: key, "plain http:// is allowed for loopback hosts only (127.0.0.1, ::1, localhost); use https://")
        default: throw error(node, key: key, "expected an https:// URL, got scheme \"\(Excerpt.printable(scheme))\"")
        }
    }

    /// Whether plain http may carry an API key to `host`: `localhost`, the IPv6 loopback
    /// address, or an IPv4 literal in 127.0.0.0/8 — parsed, not matched by prefix, so
    /// `127.0.0.1.evil.example` is a remote name and `127.1` or `0x7f.0.0.1` are not accepted.
    static func isLoopback(_ host: String) -> Bool { Loopback.contains(host) }
    /// The `accounts:` list: entries `{id, name, manager, api_key_env}`, with their lines.
    func accounts(_ node: Node) throws(ConfigError) -> [(Account, Int?)] {
        guard let sequence = node.sequence else {
            throw error(node, key: "accounts", "expected a list of accounts, each with id, name and manager")
        }
        var result: [(Account, Int?)] = []
        for (index, entry) in sequence.enumerated() {
            let path = "accounts[\(index)]"
            let keys = try mapping(entry, key: path, allowed: ["id", "name", "manager", "api_key_env"])
            guard let idNode = keys["id"] else { throw error(entry, key: "\(path).id", "every account needs an id") }
            let id = try string(idNode, key: "\(path).id")
            if let problem = AccountsCSV.problem(withID: id) { throw error(idNode, key: "\(path).id", problem) }
            let name = try keys["name"].map { (node) throws(ConfigError) in try string(node, key: "\(path).name") }
            let manager = try keys["manager"].map { (node) throws(ConfigError) in try string(node, key: "\(path).manager") }
            let env = try keys["api_key_env"].map { (node) throws(ConfigError) in try variableName(node, key: "\(path).api_key_env") }
            result.append((Account(id: id, name: name, manager: manager ?? "", apiKeyEnv: env), entry.mark?.line))
        }
        return result
    }

    private func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }
}

/// Which hosts count as this machine, for plain http and for the simulator's address.
public enum Loopback {
    /// `localhost`, an IPv4 literal in 127.0.0.0/8 in plain dotted decimal, or `::1` in any spelling.
    public static func contains(_ host: String) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
            return isIPv6Loopback(host)
        }
        if host == "localhost" || host == "localhost." { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return isIPv6Loopback(host) }
        let octets = parts.compactMap { part -> Int? in
            // Dotted decimal only: no signs, no hex or octal forms, no leading zeros.
            guard (1...3).contains(part.count), part.allSatisfy({ ("0"..."9").contains($0) }), part == "0" || part.first != "0" else { return nil }
            return Int(part).flatMap { $0 <= 255 ? $0 : nil }
        }
        return octets.count == 4 && octets[0] == 127
    }

    /// `::1` in any of its spellings (`0:0:0:0:0:0:0:1`, `::0:1`), nothing else.
    private static func isIPv6Loopback(_ host: String) -> Bool {
        guard host.contains(":"), host.allSatisfy({ $0.isHexDigit || $0 == ":" }) else { return false }
        let halves = host.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ text: String) -> [Int]? {
            guard !text.isEmpty else { return [] }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            let values = parts.compactMap { $0.count <= 4 ? Int($0, radix: 16) : nil }
            return values.count == parts.count ? values : nil
        }
        guard let head = groups(halves[0]), let tail = halves.count == 2 ? groups(halves[1]) : [] else { return false }
        let total = head.count + tail.count
        guard halves.count == 2 ? total < 8 : total == 8 else { return false }
        let all = head + Array(repeating: 0, count: 8 - total) + tail
        return all == [0, 0, 0, 0, 0, 0, 0, 1]
    }
}
