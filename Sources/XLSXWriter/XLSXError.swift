import CXLSXWriter

/// A libxlsxwriter error, with the library's own text and what was being done.
public struct XLSXError: Error, Sendable, CustomStringConvertible {
    /// The `lxw_error` code.
    public var code: Int
    public var message: String
    public var context: String

    init(_ error: lxw_error, _ context: String) {
        code = Int(error.rawValue)
        message = String(cString: lxw_strerror(error))
        self.context = context
    }

    init(message: String, context: String) {
        code = -1
        self.message = message
        self.context = context
    }

    public var description: String { "\(context): \(message)" }
}

/// Throws unless `error` is `LXW_NO_ERROR`.
@inline(__always)
func check(_ error: lxw_error, _ context: @autoclosure () -> String) throws {
    guard error == LXW_NO_ERROR else { throw XLSXError(error, context()) }
}
