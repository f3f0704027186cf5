/// How a cell looks: a value type that the workbook turns into one shared libxlsxwriter format.
public struct CellFormat: Hashable, Sendable {
    public var bold = false
    public var italic = false
    public var wrap = false
    public var fontSize: Double?
    /// An Excel number format such as `0.0%`, `yyyy-mm-dd hh:mm` or `@` (text).
    public var numberFormat: String?
    /// RGB as 0xRRGGBB.
    public var fontColor: UInt32?
    public var backgroundColor: UInt32?
    public var bottomBorder = false
    public var alignLeft = false

    public init(
        bold: Bool = false, italic: Bool = false, wrap: Bool = false, fontSize: Double? = nil, numberFormat: String? = nil,
        fontColor: UInt32? = nil, backgroundColor: UInt32? = nil, bottomBorder: Bool = false, alignLeft: Bool = false
    ) {
        self.bold = bold
        self.italic = italic
        self.wrap = wrap
        self.fontSize = fontSize
        self.numberFormat = numberFormat
        self.fontColor = fontColor
        self.backgroundColor = backgroundColor
        self.bottomBorder = bottomBorder
        self.alignLeft = alignLeft
    }
}
