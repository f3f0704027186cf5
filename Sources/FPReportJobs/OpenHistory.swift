import FPConfig
import HistoryBackends
import HistoryStore

extension FPConfiguration {
    /// `given` (a test's store), or the history the configuration names, opened by whichever
    /// backend its `database` calls for.
    func history(given: (any HistoryDatabase)?) async throws -> any HistoryDatabase {
        if let given { return given }
        return try await HistoryDatabases.open(database, passwordVariable: databasePasswordEnv)
    }

    /// The same, for jobs that only read.
    func history(given: (any HistoryReader)?) async throws -> any HistoryReader {
        if let given { return given }
        return try await HistoryDatabases.open(database, passwordVariable: databasePasswordEnv)
    }
}
