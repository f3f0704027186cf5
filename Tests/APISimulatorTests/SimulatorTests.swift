import FPModel
import FPTestSupport
import Foundation
import Testing

@testable import APISimulator

/// The simulator over real HTTP: the contract's status codes, Rails array semantics, the clock.
@Suite struct SimulatorTests {
    /// A GET with exactly the query and headers given, as a client would send them.
    func get(_ server: SimulatorServer, query: String?, key: String? = "test-key", account: String? = "acc-0001")
        async throws -> (Int, String)
    {
        var url = server.baseURL.absoluteString + "/batch_processes/progress"
        if let query { url += "?" + query }
        var headers: [String: String] = [:]
        if let key { headers["Authorization"] = "Bearer \(key)" }
        if let account { headers["Account-ID"] = account }
        let (status, body) = try await RawHTTP.send("GET", url, headers: headers)
        return (status, body)
    }

    func decode(_ body: String) throws -> [String: Int] {
        try JSONDecoder().decode([String: Int].self, from: Data(body.utf8))
    }

    func withServer(_ configuration: SimulatorConfiguration = .init(accounts: 5), _ body: (SimulatorServer) async throws -> Void) async throws {
        let server = try await SimulatorServer.start(configuration: configuration)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func wrongOrMissingKeyIs401WithoutBody() async throws {
        try await withServer { server in
            let (status, body) = try await get(server, query: nil, key: "wrong")
            #expect(status == 401)
            #expect(body.isEmpty)
            let (missing, _) = try await get(server, query: nil, key: nil)
            #expect(missing == 401)
        }
    }

    @Test func unknownAccountIs403WithTheErrorSchema() async throws {
        try await withServer { server in
            let (status, body) = try await get(server, query: nil, account: "acc-9999")
            #expect(status == 403)
            let error = try JSONDecoder().decode([String: String].self, from: Data(body.utf8))
            #expect(error["code"] == "forbidden")
            #expect(error["message"]?.isEmpty == false)
        }
    }

    @Test func answersIntegerProgressBetween0And100() async throws {
        try await withServer { server in
            await server.state.advance(by: 5 * 86_400)
            let (status, body) = try await get(server, query: nil)
            #expect(status == 200)
            let map = try decode(body)
            #expect(!map.isEmpty)
            #expect(map.keys.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) })
            #expect(map.values.allSatisfy { (0...100).contains($0) })
        }
    }

    @Test func railsFilterSemantics() async throws {
        try await withServer { server in
            await server.state.advance(by: 10 * 86_400)
            let truth = server.world.batches(accountIndex: 1, at: await server.state.now)
            func ids(_ statuses: Set<BatchStatus>) -> Set<String> {
                Set(truth.filter { statuses.contains($0.status) }.map(\.batchID))
            }
            let (_, plain) = try await get(server, query: "filters%5Bstatus%5D=completed")
            #expect(Set(try decode(plain).keys) == ids([.completed]))

            let (_, array) = try await get(server, query: "filters%5Bstatus%5D%5B%5D=completed&filters%5Bstatus%5D%5B%5D=failed")
            #expect(Set(try decode(array).keys) == ids([.completed, .failed]))

            // A repeated plain key keeps only the last value, as Rails does.
            let (_, repeated) = try await get(server, query: "filters%5Bstatus%5D=completed&filters%5Bstatus%5D=failed")
            #expect(Set(try decode(repeated).keys) == ids([.failed]))

            // Unencoded brackets read the same.
            let (_, raw) = try await get(server, query: "filters[status][]=pending&filters[status][]=in_progress")
            #expect(Set(try decode(raw).keys) == ids([.pending, .inProgress]))

            let (_, all) = try await get(server, query: nil)
            #expect(Set(try decode(all).keys) == Set(truth.map(\.batchID)))
            #expect(!ids([.completed]).isEmpty)
        }
    }

    /// The contract's enum is enforced: a value outside it (or none) is 400 with the error body.
    @Test(arguments: ["filters%5Bstatus%5D=junk", "filters%5Bstatus%5D=", "filters%5Bstatus%5D%5B%5D=pending&filters%5Bstatus%5D%5B%5D=%22%3E%5C",
                      "filters[status][]=COMPLETED"])
    func invalidStatusFiltersAre400(query: String) async throws {
        try await withServer { server in
            let (status, body) = try await get(server, query: query)
            #expect(status == 400)
            let error = try JSONDecoder().decode([String: String].self, from: Data(body.utf8))
            #expect(error["code"] == "invalid_parameter")
            #expect(error["message"]?.hasPrefix("filters[status] must be one of pending, in_progress, completed, failed, stopped") == true)
        }
    }

    /// Only GET is served on the endpoint: other methods are 405 and say so.
    @Test func otherMethodsAre405() async throws {
        try await withServer { server in
            let url = server.baseURL.absoluteString + "/batch_processes/progress"
            for method in ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"] {
                let (status, _) = try await RawHTTP.send(method, url, headers: ["Authorization": "Bearer test-key", "Account-ID": "acc-0001"])
                #expect(status == 405, "\(method)")
            }
            let (status, _) = try await get(server, query: "filters%5Bstatus%5D=pending")
            #expect(status == 200)
        }
    }

    @Test func theSameSeedTellsTheSameStory() {
        let start = Date(timeIntervalSince1970: 1_793_491_200)
        let a = SimulatedWorld(seed: 7, accountCount: 3, origin: start)
        let b = SimulatedWorld(seed: 7, accountCount: 3, origin: start)
        let c = SimulatedWorld(seed: 8, accountCount: 3, origin: start)
        let later = start.addingTimeInterval(9 * 86_400)
        #expect(a.batches(accountIndex: 2, at: later) == b.batches(accountIndex: 2, at: later))
        #expect(a.batches(accountIndex: 2, at: later) != c.batches(accountIndex: 2, at: later))
    }

    @Test func batchesMoveForwardInTheLifecycleAndFinishedOnesStay() {
        let start = Date(timeIntervalSince1970: 1_793_491_200)
        let world = SimulatedWorld(seed: 3, accountCount: 10, origin: start)
        var sawEveryStatus: Set<BatchStatus> = []
        for account in 1...10 {
            var previous: [String: BatchObservation] = [:]
            for hour in stride(from: 0, through: 20 * 24, by: 6) {
                let now = start.addingTimeInterval(Double(hour) * 3600)
                for batch in world.batches(accountIndex: account, at: now) {
                    sawEveryStatus.insert(batch.status)
                    if let before = previous[batch.batchID] {
                        #expect(before.status.lifecycleRank <= batch.status.lifecycleRank)
                        if before.status.isTerminal { #expect(before == batch) }
                        if before.status == batch.status { #expect(before.progress <= batch.progress) }
                    }
                    previous[batch.batchID] = batch
                }
            }
        }
        #expect(sawEveryStatus == Set(BatchStatus.allCases))
    }

    @Test func clockControlEndpointMovesTimeForwardOnly() async throws {
        try await withServer { server in
            let clock = "http://127.0.0.1:\(server.port)/_simulator/clock"
            let (_, body) = try await RawHTTP.send("POST", clock + "?advance=3600")
            #expect(body == #"{"now":"2026-11-01T01:00:00Z"}"#)
            _ = try await RawHTTP.send("POST", clock + "?set=2026-10-01T00:00:00Z")
            #expect(await server.state.now == Date(timeIntervalSince1970: 1_793_491_200 + 3600))
        }
    }

    @Test func countsRequestsPerAccount() async throws {
        try await withServer { server in
            for _ in 0..<3 { _ = try await get(server, query: nil, account: "acc-0002") }
            let stats = await server.state.snapshot()
            #expect(stats.requests == 3)
            #expect(stats.requestsByAccount["acc-0002"] == 3)
            #expect(stats.maxPerAccountPerMinute == 3)
        }
    }

    @Test func railsQueryParser() {
        #expect(RailsQuery.statusFilter(query: nil) == nil)
        #expect(RailsQuery.statusFilter(query: "page=2") == nil)
        #expect(RailsQuery.statusFilter(query: "filters%5Bstatus%5D=failed") == ["failed"])
        #expect(RailsQuery.statusFilter(query: "filters[status][]=a&filters[status][]=b") == ["a", "b"])
        #expect(RailsQuery.statusFilter(query: "filters[status]=a&filters[status]=b") == ["b"])
    }
}
