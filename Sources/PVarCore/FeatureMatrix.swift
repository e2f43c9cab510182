// Feature rows in difference space.

import CPairKernel

/// The K x d feature matrix `Phi`, stored row-major; the tabular policy is `Phi = I_K`, never
/// materialised (every method has its closed form for it), so memory is O(K d) for features
/// and O(K) for the tabular policy.
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
            storage = []
            isTabular = true
        }
    }

    @inline(__always)
    func entry(_ i: Int, _ k: Int) -> Double { isTabular ? (i == k ? 1 : 0) : storage[i * columns + k] }

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
    /// Returned as K rows of d entries (rows computed concurrently for large K: same bits). For
    /// the tabular policy that is K x K numbers: only `Evaluation.scores` asks for them, on
    /// demand; the evaluation itself needs only the norms (`centredRowNorms`).
    func centredRows(weights w: [Double]) -> [[Double]] {
        if isTabular {
            // The rows of the general code below for Phi = I: (e_y - e_a) - (E_w[e] - e_a), whose
            // a-th entry is S (y = a) or S - 1, every other entry delta_yc - w_c.
            let a = argmax(w), s = complement(w, a)
            return parallelMap(rows) { y in
                (0..<rows).map { c in c == a ? (y == a ? s : s - 1) : (c == y ? 1 : 0) - w[c] }
            }
        }
        let (a, means) = centring(w)
        return storage.withUnsafeBufferPointer { phi in
            let buffer = UncheckedSendable(phi), d = columns
            return parallelMap(rows) { y in
                let row = buffer.value.baseAddress! + y * d, anchor = buffer.value.baseAddress! + a * d
                return [Double](unsafeUninitializedCapacity: d) { out, count in
                    for c in 0..<d { (out.baseAddress! + c).initialize(to: (row[c] - anchor[c]) - means[c]) }
                    count = d
                }
            }
        }
    }

    /// `||x_y - E_w[x]||` for every row: the norms of `centredRows`, without storing the rows
    /// (O(K d) time, O(K) memory besides `Phi`; for features each norm is `euclideanNorm` of the
    /// same row `centredRows` gives, so the same bits).
    ///
    /// Tabular (`x_y = e_y`): the centred row is `e_y - w'` with `w'` the weights whose anchor
    /// entry is the complement `1 - w'_a = S = sum_{k != a} w_k` (as in `centredRows`), so with
    /// `Q = sum_{c != a} w_c^2`:
    /// - `y = a`: `||e_a - w'||^2 = S^2 + Q`, scaled by the largest term against underflow (a
    ///   near-certain anchor has `S` as small as 1e-300);
    /// - `y != a` (`w_y <= 1/2`): `(1 - w_y)^2 + (1 - S)^2 + (Q - w_y^2)`: the first term is at
    ///   least 1/4, so the cancellation in `Q - w_y^2` costs at most `eps Q <= eps` of a total of
    ///   at least 1/4; a few ulps in all. O(K) for all K rows.
    func centredRowNorms(weights w: [Double]) -> [Double] {
        if isTabular {
            let a = argmax(w), s = complement(w, a), oneMinusS = 1 - s
            var scale = s, q = 0.0
            for c in 0..<rows where c != a {
                scale = max(scale, w[c])
                q += w[c] * w[c]
            }
            var scaled = 0.0   // (S^2 + Q) / scale^2
            if scale > 0 {
                scaled = (s / scale) * (s / scale)
                for c in 0..<rows where c != a { let t = w[c] / scale; scaled += t * t }
            }
            let anchorNorm = scale > 0 ? scale * scaled.squareRoot() : 0
            return (0..<rows).map { y in
                if y == a { return anchorNorm }
                let u = 1 - w[y]
                return (u * u + oneMinusS * oneMinusS + (q - w[y] * w[y])).squareRoot()
            }
        }
        let (a, means) = centring(w)
        return storage.withUnsafeBufferPointer { phi in
            let buffer = UncheckedSendable(phi), d = columns
            return parallelMap(rows) { y in
                let row = buffer.value.baseAddress! + y * d, anchor = buffer.value.baseAddress! + a * d
                let deviation = [Double](unsafeUninitializedCapacity: d) { out, count in
                    for c in 0..<d { (out.baseAddress! + c).initialize(to: (row[c] - anchor[c]) - means[c]) }
                    count = d
                }
                return euclideanNorm(deviation)
            }
        }
    }

    /// The anchor `a = argmax w` and `E_w[x] - x_a = sum_{k != a} w_k (x_k - x_a)` (features).
    private func centring(_ w: [Double]) -> (anchor: Int, means: [Double]) {
        let a = argmax(w), d = columns
        var mean = [Double](repeating: 0, count: d)
        storage.withUnsafeBufferPointer { phi in
            let anchor = phi.baseAddress! + a * d
            mean.withUnsafeMutableBufferPointer { m in
                for k in 0..<rows where k != a && w[k] != 0 {
                    let row = phi.baseAddress! + k * d, wk = w[k]
                    for c in 0..<d { m[c] += wk * (row[c] - anchor[c]) }
                }
            }
        }
        return (a, mean)
    }

    /// `sum_{k != a, w_k != 0} w_k` in index order.
    private func complement(_ w: [Double], _ a: Int) -> Double {
        var s = 0.0
        for k in 0..<rows where k != a && w[k] != 0 { s += w[k] }
        return s
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
