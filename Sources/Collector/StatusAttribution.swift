import FPModel

/// Merges the five per-status answers of one account into one observation per batch (SPEC section 1).
///
/// The call that returned an id gives its status. An id returned under two statuses moved between the
/// calls: it takes the later status in the lifecycle (pending < in_progress < terminal), and the run
/// records the anomaly. Between two terminal statuses, which cannot follow each other, the order
/// `completed < failed < stopped` breaks the tie so the result never depends on call order.
public enum StatusAttribution {
    public static func merge(_ answers: [(status: BatchStatus, progress: [String: Int])])
        -> (observations: [BatchObservation], anomalies: [StatusAnomaly])
    {
        var chosen: [String: BatchObservation] = [:]
        var seenUnder: [String: [BatchStatus]] = [:]
        for (status, progress) in answers {
            for (batchID, value) in progress {
                let candidate = BatchObservation(batchID: batchID, status: status, progress: value)
                if let existing = chosen[batchID] {
                    seenUnder[batchID, default: [existing.status]].append(status)
                    if existing.status < status { chosen[batchID] = candidate }
                } else {
                    chosen[batchID] = candidate
                }
            }
        }
        let observations = chosen.values.sorted { $0.batchID.count != $1.batchID.count ? $0.batchID.count < $1.batchID.count : $0.batchID < $1.batchID }
        let anomalies = seenUnder.map { StatusAnomaly(batchID: $0.key, statuses: $0.value.sorted()) }
            .sorted { $0.batchID < $1.batchID }
        return (observations, anomalies)
    }
}
