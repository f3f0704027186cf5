import FPModel
import Foundation
import Testing

@Suite struct FPModelTests {
    @Test func lifecycleOrder() {
        #expect(BatchStatus.pending < .inProgress)
        #expect(BatchStatus.inProgress < .completed)
        #expect(BatchStatus.allCases.sorted() == [.pending, .inProgress, .completed, .failed, .stopped])
        #expect(BatchStatus.allCases.filter(\.isTerminal) == [.completed, .failed, .stopped])
    }

    /// Read from bytes as from a string: every raw value, and nothing else.
    @Test(arguments: BatchStatus.allCases.map(\.rawValue) + ["", "p", "pendin", "pendingg", "Pending", "in progress", "stopped ", "s\u{0}", "\u{FF}"])
    func statusFromUTF8(text: String) {
        var text = text
        let fromBytes = text.withUTF8 { BatchStatus(utf8: $0) }
        #expect(fromBytes == BatchStatus(rawValue: text))
    }

    @Test func apiKeysNeverPrint() {
        let key = APIKey("  sk_live_very_secret\n")!
        #expect("\(key)" == "APIKey(redacted)")
        #expect(String(reflecting: key) == "APIKey(redacted)")
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("sk_live"))
        #expect(key.withAuthorizationHeader { $0 } == "Bearer sk_live_very_secret")
        #expect(APIKey("   ") == nil)
    }

    @Test func aKeyIsTakenOutOfServerTextInEveryFormItTravelsIn() {
        let secret = "sk_live_4eC39HqL/yjWDarjtT1+zdp7dc"
        let redactor = SecretRedactor([APIKey(secret)!, APIKey("other_key_0123456789")!])
        let percent = secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var texts = [
            "Forbidden for request with Authorization: Bearer \(secret)", "key=\(percent)", "key=\(percent.replacingOccurrences(of: "%2F", with: "%2f").replacingOccurrences(of: "%5F", with: "%5f").replacingOccurrences(of: "%2B", with: "%2b"))",
            "{\"auth\":\"\(secret.replacingOccurrences(of: "/", with: "\\/"))\"}", "other_key_0123456789 too",
        ]
        // Base64 of texts holding the key at every alignment, in both alphabets
        for prefix in ["", "B", "Be", "Bearer ", "{\"h\":\"Bearer "] {
            let encoded = Data((prefix + secret + "\"}").utf8).base64EncodedString()
            texts += [encoded, encoded.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")]
        }
        texts.append(Data(secret.utf8).base64EncodedString())
        for text in texts {
            let redacted = redactor.redact(text)
            #expect(redacted.contains(SecretRedactor.marker), "\(text)")
            #expect(!redacted.contains(secret) && !redacted.contains(percent) && !redacted.contains("other_key"), "\(redacted)")
            for shift in 0..<3 {
                let core = Data((String(repeating: "x", count: shift) + secret).utf8).base64EncodedString().dropFirst(4).prefix(16)
                #expect(!redacted.contains(core), "\(redacted)")
            }
        }
        // Text without a key is left as it is
        #expect(redactor.redact("forbidden: account suspended") == "forbidden: account suspended")
        #expect(redactor.redact("42") == "42")
    }

    @Test func excerptsEscapeWhatCannotBeShown() {
        #expect(Excerpt.make("plain {\"a\":1}") == "plain {\"a\":1}")
        #expect(Excerpt.make("a\u{1B}[31mb\n") == "a\\x1B[31mb\\n")
        #expect(Excerpt.make("é") == "\\xC3\\xA9")
        #expect(Excerpt.make(String(repeating: "x", count: 100), limit: 10) == "xxxxxxxxxx…(100 bytes)")
    }

    @Test func iso8601WithOffsets() throws {
        let instant = Date(timeIntervalSince1970: 1_793_491_200)  // 2026-11-01T00:00:00Z
        #expect(ISO8601.format(instant, in: TimeZone(identifier: "Europe/Berlin")!) == "2026-11-01T01:00:00+01:00")
        #expect(ISO8601.format(instant, in: TimeZone(identifier: "America/New_York")!) == "2026-10-31T20:00:00-04:00")
        #expect(ISO8601.format(instant, in: .gmt) == "2026-11-01T00:00:00Z")
        #expect(ISO8601.parse("2026-11-01T01:00:00+01:00") == instant)
        #expect(ISO8601.parse("2026-11-01T00:00:00.000Z") == instant)
        #expect(ISO8601.parse("yesterday") == nil)
        #expect(TimeZone(identifier: "UTC")!.reportName == "UTC")
    }

    @Test(arguments: [
        (1_709_251_199, "UTC", "2024-02-29T23:59:59Z"),
        (-3600, "Atlantic/Azores", "1969-12-31T22:00:00-01:00"),
        (1_792_889_999, "Europe/Berlin", "2026-10-25T02:59:59+02:00"),
        (1_792_890_000, "Europe/Berlin", "2026-10-25T02:00:00+01:00"),
        (1_767_225_600, "Asia/Kolkata", "2026-01-01T05:30:00+05:30"),
        (253_402_300_799, "UTC", "9999-12-31T23:59:59Z"),
    ])
    func iso8601AgreesWithTheCalendar(seconds: Int64, zone: String, expected: String) throws {
        let timeZone = try #require(TimeZone(identifier: zone))
        #expect(ISO8601.format(Date(unixSeconds: seconds), in: timeZone) == expected)
        #expect(ISO8601.parse(expected)?.unixSeconds == seconds)
    }
}
