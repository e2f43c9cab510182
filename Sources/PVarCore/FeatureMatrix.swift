// Feature rows in difference space.

import CPairKernel

/// The K x d feature matrix `Phi`, stored row-major; the tabular policy is `Phi = I_K`,
/// materialised so that one code path serves both.
///
/// Every score, spread and gradient in pvar uses feature *differences* `phi_y - phi_a`
/// (difference space) rather than raw rows: for near-identical features the difference of two
/// rows is exact (Sterbenz), while a difference of two computed means or logits is not.
struct FeatureMatrix {
    let rows: Int
    let columns: Int
    let storage: [Double]
    let isTabular: Bool

    init(_ problem: Problem) {
        let k = problem.responseCount
        if let f = problem.features {
            let d = problem.dimension
            rows = k
            columns = d
            // Row by row into one buffer (a flatMap over K small arrays costs several times more).
            storage = [Double](unsafeUninitializedCapacity: k * d) { buffer, count in
                for (i, row) in f.enumerated() {
                    row.withUnsafeBufferPointer { (buffer.baseAddress! + i * d).initialize(from: $0.baseAddress!, count: d) }
                }
                count = k * d
            }
            isTabular = false
        } else {
            rows = k
            columns = k
            var s = [Double](repeating: 0, count: k * k)
            for i in 0..<k { s[i * k + i] = 1 }
            storage = s
            isTabular = true
        }
    }

    @inline(__always)
    func entry(_ i: Int, _ k: Int) -> Double { storage[i * columns + k] }

    /// `w_y = (phi_y - phi_a) . theta` for every y, each as an unrounded double-double.
    ///
    /// Each feature difference is split exactly, `phi_yk - phi_ak = d_hi + d_lo` (`twoSum`), and
    /// both parts enter one `Dot2` accumulation (`AccurateDotAccumulator`), so the only error is
    /// the `Dot2` bound `gamma_{2d}^2 sum_k |(phi_yk - phi_ak) theta_k|`: `w_y` is known to about
    /// 1e-32 of its terms, which keeps the anchored log-ratio `v_y = w_y - (log pi_ref_y -
    /// log pi_ref_a)` accurate at the reference, where it is about 1e-16 of `w_y`. (A rounded
    /// difference `fl(phi_yk - phi_ak)` alone would be off by 1e-16 relative, all of `v_y`.)
    /// Tabular (`Phi = I`): `w_y = theta_y - theta_a`, an exact `twoSum`.
    ///
    /// Cost: O(K d), one array (the result), no allocation per row.
    func anchoredLogitsDoubleDouble(theta: [Double], anchor a: Int, instructionSet: KernelInstructionSet? = nil) -> [DoubleDouble] {
        precondition(theta.count == columns, "anchoredLogitsDoubleDouble: theta has the wrong length")
        if isTabular { return (0..<rows).map { twoSum(theta[$0], -theta[a]) } }
        // The C kernel runs Dot2 on eight rows per vector step (`pvar_anchored_dot2_rows`, the
        // same operations as `AccurateDotAccumulator`); rows are independent, so chunks of them
        // run concurrently for large K (same bits).
        var hi = [Double](repeating: 0, count: rows), lo = [Double](repeating: 0, count: rows)
        storage.withUnsafeBufferPointer { phi in
            theta.withUnsafeBufferPointer { t in
                hi.withUnsafeMutableBufferPointer { h in
                    lo.withUnsafeMutableBufferPointer { l in
                        let (phi, t, h, l) = (UncheckedSendable(phi), UncheckedSendable(t), UncheckedSendable(h), UncheckedSendable(l))
                        forEachChunk(rows) { range in
                            pvar_anchored_dot2_rows(phi.value.baseAddress, columns, a, t.value.baseAddress,
                                                    range.lowerBound, range.upperBound,
                                                    h.value.baseAddress, l.value.baseAddress, instructionSet?.rawValue ?? 0)
                        }
                    }
                }
            }
        }
        return (0..<rows).map { DoubleDouble(hi: hi[$0], lo: lo[$0]) }
    }

    /// Deviations `x_y - E_w[x]` of every row from its w-weighted mean, in difference space.
    ///
    /// With the anchor `a = argmax w`, `E_w[x] - x_a = sum_{k != a} w_k (x_k - x_a)`; the
    /// anchor's own (largest) weight never multiplies a large number, so the deviation of a
    /// near-certain row (`w_a -> 1`) keeps its digits, and for the tabular policy the
    /// complement `1 - w_a` is formed as `sum_{k != a} w_k`, never as a subtraction from 1.
    /// Returned as K rows of d entries (rows computed concurrently for large K: same bits).
    func centredRows(weights w: [Double]) -> [[Double]] {
        let a = argmax(w), d = columns
        var mean = [Double](repeating: 0, count: d)
        return storage.withUnsafeBufferPointer { phi in
            let anchor = phi.baseAddress! + a * d
            mean.withUnsafeMutableBufferPointer { m in
                for k in 0..<rows where k != a && w[k] != 0 {
                    let row = phi.baseAddress! + k * d, wk = w[k]
                    for c in 0..<d { m[c] += wk * (row[c] - anchor[c]) }
                }
            }
            let buffer = UncheckedSendable(phi), means = mean
            return parallelMap(rows) { y in
                let row = buffer.value.baseAddress! + y * d, anchor = buffer.value.baseAddress! + a * d
                return [Double](unsafeUninitializedCapacity: d) { out, count in
                    for c in 0..<d { (out.baseAddress! + c).initialize(to: (row[c] - anchor[c]) - means[c]) }
                    count = d
                }
            }
        }
    }

    /// `Phi^T c` for a vector with `sum_i c_i = 0` (in exact arithmetic), evaluated as
    /// `sum_i c_i (phi_i - phi_a)` with the anchor `a = argmax |c|`: the identity holds because the
    /// weights sum to zero, and the anchored form drops the rounding noise of `sum c` times a
    /// possibly large row. Each coordinate is an accurate dot product. Tabular: `Phi^T c = c`.
    func transposeTimesZeroSum(_ c: [Double], instructionSet: KernelInstructionSet? = nil) -> [Double] {
        if isTabular { return c }
        var magnitudes = c
        for i in magnitudes.indices { magnitudes[i] = abs(magnitudes[i]) }
        let a = argmax(magnitudes)
        // The C kernel runs Dot2 on eight columns per vector step (`pvar_anchored_dot2_columns`,
        // the same operations as `accurateDot` per column); columns are independent, so for large
        // K chunks of them run concurrently (same bits).
        var out = [Double](repeating: 0, count: columns)
        storage.withUnsafeBufferPointer { phi in
            c.withUnsafeBufferPointer { cb in
                out.withUnsafeMutableBufferPointer { o in
                    let (phi, cb, o) = (UncheckedSendable(phi), UncheckedSendable(cb), UncheckedSendable(o))
                    forEachChunk(columns, minimum: rows >= parallelThreshold ? 1 : .max) { range in
                        pvar_anchored_dot2_columns(phi.value.baseAddress, rows, columns, a, cb.value.baseAddress,
                                                   range.lowerBound, range.upperBound, o.value.baseAddress, instructionSet?.rawValue ?? 0)
                    }
                }
            }
        }
        return out
    }
}

/// Index of the largest entry (the first one on ties); 0 for an empty array.
func argmax(_ x: [Double]) -> Int {
    var best = 0
    for i in x.indices where x[i] > x[best] { best = i }
    return best
}
