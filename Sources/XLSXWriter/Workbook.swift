import CXLSXWriter
import Foundation

/// An XLSX file being written with libxlsxwriter.
///
/// Owns the `lxw_workbook`; pointers to it and to its sheets, formats and charts never leave this
/// module. Call ``close()`` to write the file; a workbook dropped without closing is freed and
/// writes nothing.
public final class Workbook {
    /// Workbook-wide settings fixed at creation.
    public struct Options: Sendable {
        /// Keep only the current row of each sheet in memory: rows must be written in order.
        public var constantMemory = false
        /// Where libxlsxwriter puts its temporary files (nil: the system's).
        public var temporaryDirectory: String?

        public init(constantMemory: Bool = false, temporaryDirectory: String? = nil) {
            self.constantMemory = constantMemory
            self.temporaryDirectory = temporaryDirectory
        }
    }

    /// Document properties; `created` fixed makes the file reproducible byte for byte.
    public struct Properties: Sendable {
        public var title = ""
        public var subject = ""
        public var author = ""
        public var company = ""
        public var comments = ""
        public var created: Date

        public init(title: String, subject: String = "", author: String = "", company: String = "", comments: String = "", created: Date) {
            self.title = title
            self.subject = subject
            self.author = author
            self.company = company
            self.comments = comments
            self.created = created
        }
    }

    var handle: UnsafeMutablePointer<lxw_workbook>?
    private var formats: [CellFormat: UnsafeMutablePointer<lxw_format>] = [:]
    private var sheetNames: Set<String> = []
    public let path: String

    public init(path: String, options: Options = Options()) throws {
        self.path = path
        var raw = lxw_workbook_options()
        raw.constant_memory = options.constantMemory ? 1 : 0
        raw.use_zip64 = 1
        let created: UnsafeMutablePointer<lxw_workbook>? = path.withCString { file in
            if let directory = options.temporaryDirectory {
                return directory.withCString { dir in
                    raw.tmpdir = UnsafeMutablePointer(mutating: dir)
                    return workbook_new_opt(file, &raw)
                }
            }
            return workbook_new_opt(file, &raw)
        }
        guard let created else { throw XLSXError(message: "cannot create the workbook", context: path) }
        handle = created
    }

    deinit {
        if let handle { lxw_workbook_free(handle) }
    }

    private func open(_ what: String) throws -> UnsafeMutablePointer<lxw_workbook> {
        guard let handle else { throw XLSXError(message: "the workbook is already closed", context: what) }
        return handle
    }

    /// A new sheet named `name`: at most 31 characters, none of `[]:*?/\`, unique (see ``sheetName(_:)``).
    public func addWorksheet(named name: String) throws -> Worksheet {
        let workbook = try open("add sheet \(name)")
        try name.withCString { try check(workbook_validate_sheet_name(workbook, $0), "sheet name \"\(name)\"") }
        guard let sheet = name.withCString({ workbook_add_worksheet(workbook, $0) }) else {
            throw XLSXError(message: "cannot add the sheet", context: "sheet \(name)")
        }
        sheetNames.insert(name)
        return Worksheet(workbook: self, handle: sheet, name: name)
    }

    /// `text` made a valid, unused sheet name: forbidden characters replaced, cut to 31, numbered when taken.
    public func sheetName(_ text: String) -> String {
        var base = String(text.map { "[]:*?/\\".contains($0) ? "_" : $0 })
            .trimmingCharacters(in: CharacterSet(charactersIn: "'")).trimmingCharacters(in: .whitespaces)
        if base.isEmpty { base = "Sheet" }
        base = String(base.prefix(31))
        var candidate = base
        var number = 2
        while sheetNames.contains(where: { $0.lowercased() == candidate.lowercased() }) {
            let suffix = " (\(number))"
            candidate = String(base.prefix(31 - suffix.count)) + suffix
            number += 1
        }
        return candidate
    }

    /// A format resolved once to the workbook's shared one, for cells written by the hundred
    /// thousand: finding a ``CellFormat`` hashes its number format's text on every cell.
    /// Valid for this workbook only.
    public struct Style {
        let format: UnsafeMutablePointer<lxw_format>?
        /// The workbook that owns `format`: a sheet of another refuses it.
        let owner: ObjectIdentifier
    }

    /// `spec` resolved for many cells (see ``Style``).
    public func style(_ spec: CellFormat?) -> Style { Style(format: format(spec), owner: ObjectIdentifier(self)) }

    /// Whether the workbook is still open: its sheets' memory is freed when it closes.
    var isOpen: Bool { handle != nil }

    /// The shared format for `spec`, created on first use.
    func format(_ spec: CellFormat?) -> UnsafeMutablePointer<lxw_format>? {
        guard let spec, let workbook = handle else { return nil }
        if let existing = formats[spec] { return existing }
        guard let format = workbook_add_format(workbook) else { return nil }
        if spec.bold { format_set_bold(format) }
        if spec.italic { format_set_italic(format) }
        if spec.wrap { format_set_text_wrap(format) }
        if let size = spec.fontSize { format_set_font_size(format, size) }
        if let number = spec.numberFormat { number.withCString { format_set_num_format(format, $0) } }
        if let color = spec.fontColor { format_set_font_color(format, color) }
        if let color = spec.backgroundColor { format_set_bg_color(format, color) }
        if spec.bottomBorder { format_set_bottom(format, UInt8(LXW_BORDER_THIN.rawValue)) }
        if spec.alignLeft { format_set_align(format, UInt8(LXW_ALIGN_LEFT.rawValue)) }
        formats[spec] = format
        return format
    }

    /// A chart to fill with series and insert into a sheet.
    public func addChart(_ type: Chart.Kind) throws -> Chart {
        let workbook = try open("add chart")
        guard let chart = workbook_add_chart(workbook, type.raw) else {
            throw XLSXError(message: "cannot add the chart", context: "chart")
        }
        return Chart(workbook: self, handle: chart)
    }

    public func setProperties(_ properties: Properties) throws {
        let workbook = try open("set properties")
        try properties.title.withCString { title in
            try properties.subject.withCString { subject in
                try properties.author.withCString { author in
                    try properties.company.withCString { company in
                        try properties.comments.withCString { comments in
                            var raw = lxw_doc_properties()
                            raw.title = UnsafeMutablePointer(mutating: title)
                            raw.subject = UnsafeMutablePointer(mutating: subject)
                            raw.author = UnsafeMutablePointer(mutating: author)
                            raw.company = UnsafeMutablePointer(mutating: company)
                            raw.comments = UnsafeMutablePointer(mutating: comments)
                            raw.created = time_t(properties.created.timeIntervalSince1970)
                            try check(workbook_set_properties(workbook, &raw), "document properties")
                        }
                    }
                }
            }
        }
    }

    /// A custom document property (File > Properties > Custom in Excel).
    public func setCustomProperty(_ name: String, _ value: String) throws {
        let workbook = try open("set property \(name)")
        try name.withCString { key in
            try value.withCString { text in
                try check(workbook_set_custom_property_string(workbook, key, text), "custom property \(name)")
            }
        }
    }

    /// Writes the file and frees the workbook.
    public func close() throws {
        let workbook = try open("close")
        handle = nil
        // workbook_close frees the workbook whatever it returns.
        try check(workbook_close(workbook), "writing \(path)")
    }
}
