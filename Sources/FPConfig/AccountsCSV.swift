import FPModel
import Foundation

/// The accounts CSV (`id,name,manager[,api_key_env]`), because account lists live in spreadsheets.
///
/// RFC 4180 with the habits of spreadsheet exports tolerated: a UTF-8 BOM, CRLF or LF, quoted
/// fields with `""` escapes, blank lines. Header names are matched case-insensitively.
public enum AccountsCSV {
    /// The accounts in the file at `path`, each with its 1-based line number.
    public static func load(path: String) throws(ConfigError) -> [(Account, Int)] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, "cannot read the accounts file as UTF-8 text (\((error as NSError).localizedDescription))")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> [(Account, Int)] {
        let records = try records(text, file: file)
        guard let (header, headerLine) = records.first else {
            throw ConfigError(file: file, "the file is empty; expected a header row id,name,manager[,api_key_env]")
        }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let known = ["id", "name", "manager", "api_key_env"]
        for name in names where !known.contains(name) {
            throw ConfigError(file: file, line: headerLine, key: name.isEmpty ? "(empty column name)" : name,
                "unknown column; expected id,name,manager[,api_key_env]")
        }
        guard let idColumn = names.firstIndex(of: "id") else {
            throw ConfigError(file: file, line: headerLine, "the header has no id column; expected id,name,manager[,api_key_env]")
        }
        let nameColumn = names.firstIndex(of: "name")
        let managerColumn = names.firstIndex(of: "manager")
        let envColumn = names.firstIndex(of: "api_key_env")

        var accounts: [(Account, Int)] = []
        for (fields, line) in records.dropFirst() {
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard fields.count == header.count else {
                throw ConfigError(file: file, line: line, "expected \(header.count) fields as in the header, found \(fields.count)")
            }
            let id = fields[idColumn].trimmingCharacters(in: .whitespaces)
            if let problem = problem(withID: id) { throw ConfigError(file: file, line: line, key: "id", problem) }
            func field(_ column: Int?) -> String? {
                guard let column else { return nil }
                let value = fields[column].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
            let env = field(envColumn)
            if let env, !env.utf8.allSatisfy({ $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) {
                throw ConfigError(file: file, line: line, key: "api_key_env", "expected the name of an environment variable (letters, digits, _)")
            }
            accounts.append((Account(id: id, name: field(nameColumn), manager: field(managerColumn) ?? "", apiKeyEnv: env), line))
        }
        return accounts
    }

    /// Why `id` cannot be an `Account-ID` header value, or nil when it can.
    public static func problem(withID id: String) -> String? {
        if id.isEmpty { return "the account id is empty" }
        if id.utf8.count > 128 { return "the account id is longer than 128 bytes" }
        if id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "the account id contains control characters"
        }
        return nil
    }

    /// RFC 4180 records with the line each starts on.
    static func records(_ text: String, file: String) throws(ConfigError) -> [([String], Int)] {
        var records: [([String], Int)] = []
        var field = ""
        var fields: [String] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var afterQuote = false
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRecord() {
            fields.append(field)
            records.append((fields, recordLine))
            fields = []
            field = ""
        }
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r":
                continue
            case "\n":
                endRecord()
                afterQuote = false
                line += 1
                recordLine = line
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            default:
                if afterQuote {
                    throw ConfigError(file: file, line: line, "unexpected text after a closing quote")
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw ConfigError(file: file, line: recordLine, "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
