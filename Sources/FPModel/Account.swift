/// A FirstPromoter account that fpreport collects, as configured by the user.
public struct Account: Sendable, Hashable, Codable {
    /// The value sent as the `Account-ID` header.
    public var id: String
    /// A human name for reports; defaults to the id.
    public var name: String
    /// The account manager whose workbook lists this account; may be empty.
    public var manager: String
    /// The environment variable holding this account's API key, when it is not the default one.
    public var apiKeyEnv: String?

    public init(id: String, name: String? = nil, manager: String = "", apiKeyEnv: String? = nil) {
        self.id = id
        self.name = name ?? id
        self.manager = manager
        self.apiKeyEnv = apiKeyEnv
    }
}
