// The fast O(K^2) pair kernel: per-response exponentials, no transcendental function per pair,
// vectorised in C (Sources/CPairKernel) for the best instruction set the CPU has; this file
// prepares its inputs, runs its row blocks in parallel, handles the pairs it cannot take, and
// merges the blocks in a fixed order.

import CPairKernel
import Foundation

/// The instruction sets the fast pair kernel is compiled for. The kernel performs the same IEEE
/// operations in the same order on each (fixed lane width, no FMA contraction), so every one
/// gives bit-identical results; they differ in speed only (suite `Kernel` checks both claims).
public enum KernelInstructionSet: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Baseline vector code (SSE2 on x86-64; the only build on other CPUs).
    case generic = 1
    /// AVX2 with FMA (x86-64).
    case avx2 = 2
    /// AVX-512 F/DQ/VL (x86-64).
    case avx512 = 3

    /// The fastest instruction set this CPU supports (what `PairKernel.fast` uses).
    public static var best: KernelInstructionSet {
        KernelInstructionSet(rawValue: pvar_pair_kernel_level(0)) ?? .generic
    }

    /// Every instruction set this CPU can run.
    public static var available: [KernelInstructionSet] { allCases.filter { $0.rawValue <= best.rawValue } }

    public var description: String {
        switch self {
        case .generic: "generic (SSE2)"
        case .avx2: "AVX2"
        case .avx512: "AVX-512"
        }
    }
}

/// Below `seriesThreshold` in magnitude a centred preference `tanh(x/2)` comes from the series
/// (`pvar_half_tanh_series`); above it from per-response exponentials,
/// `(e_i - e_j) / (e_i + e_j)`, whose relative error `~ 2 eps / |tanh(x/2)|` is at most 8 eps
/// there. The C kernel uses the same threshold (`near_zero`).
let seriesThreshold = 0.5

/// Per-response exponentials below this are too small for the ratio forms (their products
/// could leave the normal range); a pair touching such a response takes the direct path
/// (`centredSigmoid`-style `tanh`, `sigmoidDifference`, `softplus`) in Swift instead.
let exponentialFloor = 0x1p-400

/// `tanh(x / 2)` for `|x| <= 1/2` by the kernel's polynomial (`x p(x^2)`, `p` near-minimax of
/// degree 7, relative error below 4e-18 before rounding, so as good as `tanh` itself); the C
/// kernel's code.
@inline(__always)
func halfTanhSeries(_ x: Double) -> Double { pvar_half_tanh_series(x) }

/// The O(K^2) pair sums of `PairSums`, computed without a transcendental function per pair.
///
/// With `ea_y = exp(beta (v_y - max v)) = exp(h_y - max h)` (implicit rewards) and
/// `eb_y = exp(r_y - max r)` (rewards), every
/// pair quantity is a ratio of per-response numbers (the C kernel, `pair_kernel.c`):
/// - `tanh((h_i - h_j)/2) = (ea_i - ea_j) / (ea_i + ea_j)` (and likewise for `r`);
/// - `q = eb_i / (eb_i + eb_j)`;
/// - `p - q = (ea_i eb_j - ea_j eb_i) / (A B) = tanh(d_g/2) (ea_i eb_j + ea_j eb_i) / (A B)` with
///   `d_g = (h_i - h_j) - (r_i - r_j)`: where `|d_g| <= 1/2` (the model nearly fits the labels) the
///   centred series of the exact `d_g` keeps the residual's relative accuracy, where a difference
///   of two nearly equal products would not; beyond, the difference loses at most 8 eps;
/// - loss term `= (1 - q) d + log1p(ea_j / ea_i)` for `d = h_i - h_j >= 0` (mirror for `d < 0`),
///   `log1p` by its `2 atanh` series (`pvar_log1p_unit`);
/// - three passes over the pairs, each with the responses sorted by its own key (descending): by
///   `v` for `PVar_policy` and the loss (each pair visited with `d = h_i - h_j >= 0`; `1/A` and the
///   `log1p` quotient share one reciprocal), by `r` for `PVar_labels` (`1/B` alone, so every label
///   term is the same double for any policy and beta), by `beta v - r` for the residual (`1/(A B)`),
///   the disagreement and the row sums. Sorted, the pairs whose centred difference is small sit
///   next to the diagonal: a two-pointer scan finds where each row's series region ends, and
///   only the vectors before it test their lanes (measured by `make bench`: 3.4 ns per pair on
///   one core against 4.3 for the earlier single unsorted pass, which evaluated all three series
///   for every pair);
/// - each row's lanes are reduced in a fixed order and the rows enter compensated totals, so the
///   rounding of the O(K^2) sums does not grow with the number of rows.
/// Where a centred difference is small (`|d| <= seriesThreshold`) it comes from the series of
/// the exact pair difference instead. Pairs touching a response whose exponentials fall below
/// `exponentialFloor` are summed here by the direct forms (`tanh`, `sigmoidDifference`,
/// `softplus`), and the blocks are merged in order (`PairLayout`); the kernel gives the same bits
/// on every instruction set, so the result depends on neither the thread count nor the CPU.
struct FastPairSums {
    var loss = 0.0
    var scaledPVarPolicy = 0.0
    var scaledPVarLabels = 0.0
    var scaledSquaredDisagreement = 0.0
    var residual: [Double]

    init(beta: Double, logRatio v: [Double], rewards r: [Double], policyScaled piS: [Double],
         pairsScaled muS: [Double], pairs mu: [Double], instructionSet: KernelInstructionSet? = nil) {
        let layout = PairLayout(beta: beta, logRatio: v, rewards: r)
        let k = layout.k
        let inputs = layout.sortedPairInputs(beta: beta, v: v, r: r, piS: piS, muS: muS, mu: mu)
        let level = instructionSet?.rawValue ?? 0
        let results = layout.runBlocks { rows in
            var sums = BlockSums(rows: k + Int(PVAR_KERNEL_PAD))
            if let inputs { sums.addKernel(inputs, k: k, beta: beta, rows: rows, level: level) }
            sums.addDirect(rows: rows, layout: layout, beta: beta, v: v, r: r, piS: piS, muS: muS, mu: mu)
            return sums
        }
        var pvp = 0.0, pvl = 0.0, dis = 0.0, lossSum = 0.0
        var residual = [CompensatedSum](repeating: CompensatedSum(), count: k)
        for s in results {
            pvp += s.pvp
            pvl += s.pvl
            dis += s.dis
            lossSum += s.loss
            // The kernel's row sums are in the residual order; the direct path's in the original one.
            if let inputs {
                for (position, y) in inputs.residualOrder.enumerated() {
                    residual[y].add(s.kernelRows[position])
                    residual[y].add(s.kernelComp[position])
                }
            }
            for j in 0..<k {
                residual[j].add(s.rows[j])
                residual[j].add(s.comp[j])
            }
        }
        // Pairs with i = j contribute log 2 to the loss and nothing else. The sums above hold
        // tanh^2 = 4 (p - 1/2)^2 for the PVars: times 2 (mirror pairs) / 4 = 1/2.
        var diagonal = 0.0
        for m in mu { diagonal += m * m }
        self.loss = diagonal * log(2.0) + 2 * lossSum
        self.scaledPVarPolicy = 0.5 * pvp
        self.scaledPVarLabels = 0.5 * pvl
        self.scaledSquaredDisagreement = 2 * dis
        self.residual = residual.map(\.value)
    }
}

/// How the C kernels see one evaluation's responses (shared by the pair sums and the noise).
///
/// Responses whose exponentials `exp(h_y - max h)` or `exp(r_y - max r)` fall below
/// `exponentialFloor` are "tiny": in the kernels' inputs they become weightless copies of a
/// normal response (so the kernels' arithmetic stays finite and their pairs add exactly 0) and
/// every pair touching one is summed by the direct Swift forms instead (`directPartners`). The
/// rows are split into fixed blocks (`parallelBlocks` from `parallelThreshold` responses on,
/// one below), run concurrently and returned in block order: the result does not depend on the
/// thread count.
struct PairLayout: Sendable {
    let k: Int
    /// `exp(h_y - max h)`, `exp(r_y - max r)`.
    let ea: [Double], eb: [Double]
    let tiny: [Bool]
    let tinyIndices: [Int]
    /// A normal response whose values the tiny ones and the padding copy (nil: none exists, and
    /// every pair takes the direct path).
    let template: Int?
    let blocks: [Range<Int>]

    init(beta: Double, logRatio v: [Double], rewards r: [Double]) {
        // In difference space: exp(beta (v_y - max v)), never exp(fl(beta v_y) - max h), whose
        // argument would carry a rounding of eps |h_y| (huge for beta 1e8) instead of
        // eps |h_y - max h| (at most 277 eps for the responses the kernel takes).
        let vMax = v.max() ?? 0, rMax = r.max() ?? 0
        k = v.count
        ea = v.map { exp(beta * ($0 - vMax)) }
        eb = r.map { exp($0 - rMax) }
        let tiny = zip(ea, eb).map { $0 < exponentialFloor || $1 < exponentialFloor }
        self.tiny = tiny
        tinyIndices = tiny.indices.filter { tiny[$0] }
        template = tiny.firstIndex(of: false)
        blocks = k < parallelThreshold ? [0..<k] : balancedRowBlocks(k, count: parallelBlocks)
    }

    /// The kernel's source response for padded entry `y` (`k + PVAR_KERNEL_PAD` entries): `y`
    /// itself if it is a normal response, else the template; `weighted` says whether its
    /// weights count.
    func source(_ y: Int) -> (index: Int, weighted: Bool) {
        y < k && !tiny[y] ? (y, true) : (template ?? 0, false)
    }

    /// The noise kernel's inputs (original order), nil when there is no normal response.
    func kernelInputs(v: [Double], r: [Double], mu: [Double]) -> KernelInputs? {
        guard template != nil else { return nil }
        return KernelInputs(count: k + Int(PVAR_KERNEL_PAD)) { y in
            let (s, weighted) = source(y)
            return (v[s], r[s], ea[s], eb[s], weighted ? mu[y] : 0)
        }
    }

    /// The normal responses sorted by `key` descending (ties by index), the tiny ones (which the
    /// kernel sees as weightless copies of the template) after them.
    func order(_ key: (Int) -> Double) -> [Int] {
        let normal = (0..<k).filter { !tiny[$0] }.sorted { a, b in
            let x = key(a), y = key(b)
            return x > y || (x == y && a < b)
        }
        return normal + tinyIndices
    }

    /// The pair kernel's inputs in its three orders (policy: by v; labels: by r; residual: by
    /// beta v - r), nil when there is no normal response. In each order, a tiny response and the
    /// padding are weightless copies of the last normal response of that order, so that every
    /// pair (i, j), j > i, of an order has a nonnegative difference in its key.
    func sortedPairInputs(beta: Double, v: [Double], r: [Double], piS: [Double], muS: [Double], mu: [Double]) -> SortedPairInputs? {
        guard template != nil else { return nil }
        let count = k + Int(PVAR_KERNEL_PAD)
        let normalCount = k - tinyIndices.count
        func arrays(_ order: [Int], _ entry: (Int, Bool) -> Double...) -> [UnsafeMutableBufferPointer<Double>] {
            entry.map { f in
                let a = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
                for position in 0..<count {
                    let weighted = position < normalCount
                    a[position] = f(order[weighted ? position : normalCount - 1], weighted)
                }
                return a
            }
        }
        let policy = order { v[$0] }, labels = order { r[$0] }, residual = order { beta * v[$0] - r[$0] }
        return SortedPairInputs(
            policy: arrays(policy, { y, _ in v[y] }, { y, _ in ea[y] }, { y, _ in eb[y] },
                           { y, w in w ? piS[y] : 0 }, { y, w in w ? mu[y] : 0 }),
            labels: arrays(labels, { y, _ in r[y] }, { y, _ in eb[y] }, { y, w in w ? muS[y] : 0 }),
            residual: arrays(residual, { y, _ in v[y] }, { y, _ in r[y] }, { y, _ in ea[y] }, { y, _ in eb[y] },
                             { y, w in w ? muS[y] : 0 }, { y, w in w ? mu[y] : 0 }),
            residualOrder: Array(residual[0..<normalCount]))
    }

    /// The partners `j > i` of row `i` whose pair takes the direct path.
    func directPartners(_ i: Int) -> [Int] {
        if tinyIndices.isEmpty { return [] }
        return tiny[i] ? Array((i + 1)..<max(k, i + 1)) : tinyIndices.filter { $0 > i }
    }

    /// `body` on every block of rows, concurrently when there are several; results in block order.
    func runBlocks<T>(_ body: @Sendable (Range<Int>) -> T) -> [T] {
        let results = BlockSlots<T>(capacity: blocks.count)
        defer { results.release() }
        let blocks = blocks
        if blocks.count == 1 {
            results.store(body(blocks[0]), at: 0)
        } else {
            withoutActuallyEscaping(body) { body in
                let run = UncheckedSendable(body)
                DispatchQueue.concurrentPerform(iterations: blocks.count) { b in results.store(run.value(blocks[b]), at: b) }
            }
        }
        return Array(results.slots)
    }
}

/// The per-response arrays of `pvar_noise_inputs` (each `k + PVAR_KERNEL_PAD` long, original
/// order), owned here and read concurrently by the blocks.
final class KernelInputs: @unchecked Sendable {
    let v, r, ea, eb, mu: UnsafeMutableBufferPointer<Double>

    init(count: Int, _ entry: (Int) -> (Double, Double, Double, Double, Double)) {
        func array() -> UnsafeMutableBufferPointer<Double> { .allocate(capacity: count) }
        (v, r, ea, eb, mu) = (array(), array(), array(), array(), array())
        for y in 0..<count {
            (v[y], r[y], ea[y], eb[y], mu[y]) = entry(y)
        }
    }

    deinit {
        for p in [v, r, ea, eb, mu] { p.deallocate() }
    }
}

/// The arrays of `pvar_pair_inputs` in the kernel's three orders (`PairLayout.sortedPairInputs`),
/// owned here and read concurrently by the blocks; `residualOrder[position]` is the response
/// whose residual row sum the kernel writes at `position` (normal responses only).
final class SortedPairInputs: @unchecked Sendable {
    /// v, ea, eb, pi_s, mu by v; r, eb, mu_s by r; v, r, ea, eb, mu_s, mu by beta v - r.
    let policy, labels, residual: [UnsafeMutableBufferPointer<Double>]
    let residualOrder: [Int]

    init(policy: [UnsafeMutableBufferPointer<Double>], labels: [UnsafeMutableBufferPointer<Double>],
         residual: [UnsafeMutableBufferPointer<Double>], residualOrder: [Int]) {
        (self.policy, self.labels, self.residual, self.residualOrder) = (policy, labels, residual, residualOrder)
    }

    func withInputs<T>(k: Int, beta: Double, _ body: (inout pvar_pair_inputs) -> T) -> T {
        let (p, l, m) = (policy.map { UnsafePointer($0.baseAddress) }, labels.map { UnsafePointer($0.baseAddress) },
                         residual.map { UnsafePointer($0.baseAddress) })
        var input = pvar_pair_inputs(k: k, beta: beta, p_v: p[0], p_ea: p[1], p_eb: p[2], p_pi_s: p[3], p_mu: p[4],
                                     l_r: l[0], l_eb: l[1], l_mu_s: l[2],
                                     m_v: m[0], m_r: m[1], m_ea: m[2], m_eb: m[3], m_mu_s: m[4], m_mu: m[5])
        return body(&input)
    }

    deinit {
        for p in policy + labels + residual { p.deallocate() }
    }
}

/// One slot per block, each written by exactly one task (so no two threads touch the same
/// memory) and read after `concurrentPerform` returns.
struct BlockSlots<T>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<T>
    init(capacity: Int) { slots = .allocate(capacity: capacity) }
    func store(_ value: T, at index: Int) { (slots.baseAddress! + index).initialize(to: value) }
    func release() {
        slots.baseAddress!.deinitialize(count: slots.count)
        slots.deallocate()
    }
}

/// At or above this many responses the pair kernel splits its rows into `parallelBlocks` blocks
/// and runs them concurrently (below, the threads' start-up costs more than it saves).
public let parallelThreshold = 1024
/// Number of row blocks of a parallel evaluation: fixed (not the number of cores), so the
/// summation order, and hence every output bit, is the same on any machine.
let parallelBlocks = 8

/// Splits the rows `0..<k` of the pair triangle (row i has `k - 1 - i` pairs) into `count`
/// consecutive blocks of about equal pair counts.
func balancedRowBlocks(_ k: Int, count: Int) -> [Range<Int>] {
    let total = Double(k) * Double(k - 1) / 2
    var blocks: [Range<Int>] = []
    var start = 0, done = 0.0
    for b in 1...count {
        var end = start
        let target = total * Double(b) / Double(count)
        while end < k && (b == count || done < target) {
            done += Double(k - 1 - end)
            end += 1
        }
        if b == count { end = k }
        blocks.append(start..<end)
        start = end
    }
    return blocks.filter { !$0.isEmpty }
}

/// The pair sums of one block of rows (pairs (i, j) with i in the block and j > i, in each of
/// the kernel's orders) and its compensated residual row sums: the kernel's in the residual order
/// (`kernelRows[p] + kernelComp[p]`), the direct path's in the original order (`rows[j] + comp[j]`);
/// rows outside the block receive the mirror terms. First the C kernel's pairs, then the
/// direct-path pairs, always in that order.
struct BlockSums {
    var pvp = 0.0, pvl = 0.0, dis = 0.0, loss = 0.0
    var kernelRows: [Double]
    var kernelComp: [Double]
    var rows: [Double]
    var comp: [Double]

    init(rows count: Int) {
        kernelRows = [Double](repeating: 0, count: count)
        kernelComp = [Double](repeating: 0, count: count)
        rows = [Double](repeating: 0, count: count)
        comp = [Double](repeating: 0, count: count)
    }

    /// The C kernel on `block` (tiny responses carry weight 0 there, so their pairs add 0).
    mutating func addKernel(_ x: SortedPairInputs, k: Int, beta: Double, rows block: Range<Int>, level: Int32) {
        var out = pvar_pair_sums()
        x.withInputs(k: k, beta: beta) { input in
            kernelRows.withUnsafeMutableBufferPointer { rows in
                kernelComp.withUnsafeMutableBufferPointer { comp in
                    pvar_pair_block(&input, block.lowerBound, block.upperBound, rows.baseAddress, comp.baseAddress, &out, level)
                }
            }
        }
        pvp += out.pvar_policy
        pvl += out.pvar_labels
        dis += out.disagreement
        loss += out.loss
    }

    /// The pairs of `block` that touch a tiny response, by the direct forms, in row order.
    mutating func addDirect(rows block: Range<Int>, layout: PairLayout, beta: Double, v: [Double],
                            r: [Double], piS: [Double], muS: [Double], mu: [Double]) {
        for i in block {
            for j in layout.directPartners(i) {
                let da = beta * (v[i] - v[j]), db = r[i] - r[j]
                let tp = abs(da) <= seriesThreshold ? halfTanhSeries(da) : tanh(0.5 * da)
                pvp += piS[i] * piS[j] * tp * tp
                let wScaled = muS[i] * muS[j]
                if wScaled == 0 { continue }
                let w = mu[i] * mu[j]
                let tq = abs(db) <= seriesThreshold ? halfTanhSeries(db) : tanh(0.5 * db)
                let e = sigmoidDifference(da, db)
                pvl += wScaled * tq * tq
                dis += wScaled * e * e
                loss += w * (sigmoid(db) * softplus(-da) + sigmoid(-db) * softplus(da))
                addToRow(i, w * e)
                addToRow(j, -(w * e))
            }
        }
    }

    /// Adds x to the compensated pair (rows[j], comp[j]) (Fast2Sum on the larger magnitude,
    /// as the C kernel's `add_compensated`).
    private mutating func addToRow(_ j: Int, _ x: Double) {
        let t = rows[j] + x
        comp[j] += abs(rows[j]) >= abs(x) ? (rows[j] - t) + x : (x - t) + rows[j]
        rows[j] = t
    }
}
