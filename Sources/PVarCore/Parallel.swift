// Deterministic data parallelism: the one ordered parallel map of the package (the O(K d) stages
// of an evaluation, the estimation study's replicates).

import Dispatch
import Foundation

/// Runs `body` on `parallelBlocks` consecutive chunks of `0..<n`, concurrently when
/// `n >= minimum` (one call with `0..<n` below). For independent per-entry work that writes
/// disjoint outputs: the result is then the same bits for any number of threads. Never for sums
/// across entries.
public func forEachChunk(_ n: Int, minimum: Int = parallelThreshold, _ body: (Range<Int>) -> Void) {
    if n < minimum {
        body(0..<n)
        return
    }
    withoutActuallyEscaping(body) { body in
        let run = UncheckedSendable(body)
        let chunk = (n + parallelBlocks - 1) / parallelBlocks
        DispatchQueue.concurrentPerform(iterations: parallelBlocks) { b in
            let range = min(n, b * chunk)..<min(n, (b + 1) * chunk)
            if !range.isEmpty { run.value(range) }
        }
    }
}

/// `[f(0), ..., f(n - 1)]`, computed by `forEachChunk` (concurrently when `n >= minimum`).
/// Each entry depends on its index only, so the result is the same bits for any number of threads.
public func parallelMap<T>(_ n: Int, minimum: Int = parallelThreshold, _ f: (Int) -> T) -> [T] {
    [T](unsafeUninitializedCapacity: n) { buffer, count in
        let out = UncheckedSendable(buffer.baseAddress)
        forEachChunk(n, minimum: minimum) { range in
            for i in range { (out.value! + i).initialize(to: f(i)) }
        }
        count = n
    }
}

/// A value handed to the chunks of `forEachChunk`: each chunk writes disjoint entries and reads
/// only shared immutable state, which the compiler cannot see for itself.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// `[await body(0), ..., await body(count - 1)]`, run as concurrent tasks with at most `limit` in
/// flight (default: the active cores): the package's one bounded task group. Results are stored by
/// index, so they are the same for any `limit`, and each task's work must depend on its index only.
public func boundedTaskMap<T: Sendable>(_ count: Int, limit: Int? = nil,
                                        _ body: @escaping @Sendable (Int) async -> T) async -> [T] {
    let limit = max(1, limit ?? ProcessInfo.processInfo.activeProcessorCount)
    return await withTaskGroup(of: (Int, T).self) { group in
        var slots = [T?](repeating: nil, count: count)
        for i in 0..<count {
            if i >= limit, let (done, value) = await group.next() { slots[done] = value }
            group.addTask { (i, await body(i)) }
        }
        for await (i, value) in group { slots[i] = value }
        return slots.map { $0! }
    }
}
