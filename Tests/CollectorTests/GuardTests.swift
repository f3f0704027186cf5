import Collector
import Testing

@Suite struct GuardTests {
    @Test func tokenBucketAllowsABurstThenPacesPerAccount() async {
        let limiter = AccountRateLimiter(perMinute: 60, burst: 2)
        #expect(await limiter.reserve("a", now: 0) == 0)
        #expect(await limiter.reserve("a", now: 0) == 0)
        #expect(await limiter.reserve("a", now: 0) == 1)
        #expect(await limiter.reserve("a", now: 0) == 2)
        // Another account has its own bucket.
        #expect(await limiter.reserve("b", now: 0) == 0)
        // Tokens come back with time.
        #expect(await limiter.reserve("a", now: 10) == 0)
    }

    @Test func a429HalvesTheAccountsRate() async {
        let limiter = AccountRateLimiter(perMinute: 120, burst: 5)
        #expect(await limiter.reserve("a", now: 0) == 0)
        await limiter.slowDown("a", now: 0)
        #expect(await limiter.perMinute("a") == 60)
        #expect(await limiter.reserve("a", now: 0) == 1)
        #expect(await limiter.perMinute("b") == 120)
    }

    @Test func adaptiveLimiterHalvesOn429AndRecovers() async {
        let limiter = AdaptiveLimiter(maximum: 16)
        await limiter.acquire()
        await limiter.release(rateLimited: true, now: 10)
        #expect(await limiter.limit == 8)
        // A second 429 within the same second does not halve again.
        await limiter.acquire()
        await limiter.release(rateLimited: true, now: 10.5)
        #expect(await limiter.limit == 8)
        await limiter.acquire()
        await limiter.release(rateLimited: true, now: 12)
        #expect(await limiter.limit == 4)
        for _ in 0..<40 {
            await limiter.acquire()
            await limiter.release(rateLimited: false, now: 20)
        }
        #expect(await limiter.limit > 8)
        #expect(await limiter.limit <= 16)
    }

    @Test func breakerOpensProbesAndGivesUp() async {
        let breaker = CircuitBreaker(threshold: 3, cooldown: 10, maxProbes: 2)
        for _ in 0..<3 {
            #expect(await breaker.decide(now: 0) == .proceed)
            await breaker.record(failure: true, now: 0)
        }
        #expect(await breaker.decide(now: 5) == .wait(5))
        // After the cool-down one probe goes through; others wait for it.
        #expect(await breaker.decide(now: 10) == .proceed)
        #expect(await breaker.decide(now: 10) == .wait(1))
        await breaker.record(failure: true, now: 10)
        #expect(await breaker.decide(now: 20) == .wait(10))
        #expect(await breaker.decide(now: 30) == .proceed)
        await breaker.record(failure: true, now: 30)
        #expect(await breaker.decide(now: 1000) == .giveUp)
        #expect(await breaker.openings == 3)
    }

    @Test func aSuccessfulProbeClosesTheBreaker() async {
        let breaker = CircuitBreaker(threshold: 1, cooldown: 1, maxProbes: 3)
        await breaker.record(failure: true, now: 0)
        #expect(await breaker.decide(now: 1) == .proceed)
        await breaker.record(failure: false, now: 1)
        #expect(await breaker.decide(now: 1) == .proceed)
        #expect(await breaker.decide(now: 1) == .proceed)
    }

    @Test func retryBudgetRunsOut() async {
        let budget = RetryBudget(2)
        #expect(await budget.take())
        #expect(await budget.take())
        #expect(!(await budget.take()))
    }
}
