// Deterministic data parallelism for the O(K d) stages of an evaluation.

import Dispatch

/// `[f(0), ..., f(n - 1)]`, computed in `parallelBlocks` concurrent chunks when `n >= minimum`
/// (serially below). Each entry depends on its index only, so the result is the same bits for
/// any number of threads: this is for independent per-row (or per-column) work, never for sums
/// across entries.
func parallelMap<T>(_ n: Int, minimum: Int = parallelThreshold, _ f: (Int) -> T) -> [T] {
    if n < minimum { return (0..<n).map(f) }
    return withoutActuallyEscaping(f) { f in
        let body = UncheckedSendable(f)
        return [T](unsafeUninitializedCapacity: n) { buffer, count in
            let out = UncheckedSendable(buffer.baseAddress!)
            let chunk = (n + parallelBlocks - 1) / parallelBlocks
            DispatchQueue.concurrentPerform(iterations: parallelBlocks) { b in
                for i in min(n, b * chunk)..<min(n, (b + 1) * chunk) {
                    (out.value + i).initialize(to: body.value(i))
                }
            }
            count = n
        }
    }
}

/// A value handed to the chunks of `parallelMap`: each chunk writes disjoint entries and reads
/// only shared immutable state, which the compiler cannot see for itself.
private struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
