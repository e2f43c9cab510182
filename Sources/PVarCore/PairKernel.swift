// The fast O(K^2) pair kernel: per-response exponentials, no transcendental per pair except
// one log1p for the loss, and centred forms kept where they matter.

import Foundation

/// `tanh(x / 2)` for `|x| <= 0.5` by its Taylor polynomial (11 odd terms, relative truncation
/// error below 2.3e-18 on that interval, so the result is as good as `tanh` itself), evaluated
/// by Estrin's scheme.
@inline(__always)
func halfTanhSeries(_ x: Double) -> Double {
    // Estrin's scheme in y = x^2: depth 5 instead of Horner's 10 dependent multiply-adds.
    let y = x * x, y2 = y * y, y4 = y2 * y2, y8 = y4 * y4
    let a0 = (0.5) + (-0.041666666666666664) * y, a1 = (0.004166666666666667) + (-0.00042162698412698415) * y, a2 = (4.271384479717813e-05) + (-4.327751723585057e-06) * y, a3 = (4.384921919644142e-07) + (-4.4428539643900096e-08) * y, a4 = (4.501552131237686e-09) + (-4.5610258911810394e-10) * y
    let b0 = a0 + a1 * y2, b1 = a2 + a3 * y2, b2 = a4 + (4.6212854179999594e-11) * y2
    return (b0 + b1 * y4 + b2 * y8) * x
}

typealias Lanes = SIMD4<Double>

/// `halfTanhSeries` on four lanes (same coefficients, same Estrin scheme).
@inline(__always)
func halfTanhSeries(_ x: Lanes) -> Lanes {
    let y = x * x, y2 = y * y, y4 = y2 * y2, y8 = y4 * y4
    let a0 = (0.5) + (-0.041666666666666664) * y, a1 = (0.004166666666666667) + (-0.00042162698412698415) * y, a2 = (4.271384479717813e-05) + (-4.327751723585057e-06) * y, a3 = (4.384921919644142e-07) + (-4.4428539643900096e-08) * y, a4 = (4.501552131237686e-09) + (-4.5610258911810394e-10) * y
    let b0 = a0 + a1 * y2, b1 = a2 + a3 * y2, b2 = a4 + (4.6212854179999594e-11) * y2
    return (b0 + b1 * y4 + b2 * y8) * x
}

/// `log1pUnit` on four lanes.
@inline(__always)
func log1pUnit(_ u: Lanes) -> Lanes {
    let low = u .<= 0.41421356237309503
    let s = (u / (2 + u)).replacing(with: (u - 1) / (u + 3), where: .!low)
    let offset = Lanes(repeating: 0).replacing(with: 0.69314718055994530942, where: .!low)
    let y = s * s, y2 = y * y, y4 = y2 * y2, y8 = y4 * y4
    let a0 = 1 + y * (1.0 / 3), a1 = 1.0 / 5 + y * (1.0 / 7), a2 = 1.0 / 9 + y * (1.0 / 11)
    let a3 = 1.0 / 13 + y * (1.0 / 15), a4 = 1.0 / 17 + y * (1.0 / 19), a5 = 1.0 / 21 + y * (1.0 / 23)
    let b0 = a0 + a1 * y2, b1 = a2 + a3 * y2, b2 = a4 + a5 * y2
    return offset + 2 * s * (b0 + b1 * y4 + b2 * y8)
}

/// Lanes with `|x| <= seriesThreshold`.
@inline(__always)
func nearZero(_ x: Lanes) -> SIMDMask<Lanes.MaskStorage> {
    (x .<= seriesThreshold) .& (x .>= -seriesThreshold)
}

/// Knuth's TwoSum on lanes: `(s + x, exact rounding error)`, branch-free.
@inline(__always)
func twoSum(_ s: Lanes, _ x: Lanes) -> (Lanes, Lanes) {
    let t = s + x
    let z = t - s
    return (t, (s - (t - z)) + (x - z))
}

/// Below `seriesThreshold` in magnitude a centred preference `tanh(x/2)` comes from the series;
/// above it from per-response exponentials, `(e_i - e_j) / (e_i + e_j)`, whose relative error
/// `~ 2 eps / |tanh(x/2)|` is at most 8 eps there.
let seriesThreshold = 0.5

/// Per-response exponentials below this are too small for the ratio forms (their products
/// could leave the normal range); a pair touching one takes the direct transcendental path.
let exponentialFloor = 0x1p-400

/// The O(K^2) pair sums of `PairSums`, computed without a transcendental function per pair
/// (except one `log1p` for the loss).
///
/// With `ea_y = exp(h_y - max h)` (implicit rewards) and `eb_y = exp(r_y - max r)` (rewards), every
/// pair quantity is a ratio of per-response numbers:
/// - `tanh((h_i - h_j)/2) = (ea_i - ea_j) / (ea_i + ea_j)` (and likewise for `r`);
/// - `q = eb_i / (eb_i + eb_j)`;
/// - `p - q = (ea_i eb_j - ea_j eb_i) / (A B) = tanh(d_g/2) (ea_i eb_j + ea_j eb_i) / (A B)` with
///   `d_g = (h_i - h_j) - (r_i - r_j)`: where `|d_g| <= 1/2` (the model nearly fits the labels) the
///   centred series of the exact `d_g` keeps the residual's relative accuracy, where a difference
///   of two nearly equal products would not; beyond, the difference loses at most 8 eps;
/// - loss term `= (1 - q) d + log1p(ea_j / ea_i)` for `d = h_i - h_j >= 0` (mirror for `d < 0`).
/// Where a centred difference is small (`|d| <= seriesThreshold`) it comes from `halfTanhSeries`
/// of the exact pair difference instead, and pairs whose exponentials underflow fall back to the
/// direct forms (`centredSigmoid`, `sigmoidDifference`, `softplus`).
struct FastPairSums {
    var loss = 0.0
    var scaledPVarPolicy = 0.0
    var scaledPVarLabels = 0.0
    var scaledSquaredDisagreement = 0.0
    var residual: [Double]

    init(beta: Double, logRatio v: [Double], rewards r: [Double], policyScaled piS: [Double],
         pairsScaled muS: [Double], pairs mu: [Double]) {
        let k = v.count
        let width = Lanes.scalarCount
        // Per-response inputs, padded by `width` neutral entries (weight 0, exponentials 1) so
        // every chunk of four j's is full; padded lanes contribute exactly 0.
        func padded(_ x: [Double], _ fill: Double) -> [Double] { x + [Double](repeating: fill, count: width) }
        func exponentials(_ x: [Double]) -> [Double] {
            let m = x.max() ?? 0
            return x.map { exp($0 - m) }
        }
        let h = v.map { beta * $0 }
        let eaRaw = exponentials(h), ebRaw = exponentials(r)
        let vP = padded(v, 0), rP = padded(r, 0), ea = padded(eaRaw, 1), eb = padded(ebRaw, 1)
        let recA = padded(eaRaw.map { 1 / $0 }, 1)
        let piP = padded(piS, 0), muSP = padded(muS, 0), muP = padded(mu, 0)
        // The rows i are split into fixed blocks of about equal pair counts (one block below
        // `parallelThreshold` responses); blocks run concurrently and are merged in block order,
        // so the result does not depend on the number of threads.
        let blocks = k < parallelThreshold ? [0..<k] : balancedRowBlocks(k, count: parallelBlocks)
        let results = BlockSlots(capacity: blocks.count)
        defer { results.release() }
        let run: @Sendable (Int) -> Void = { block in
            results.store(BlockSums(rowsIn: blocks[block], k: k, beta: beta, v: vP, r: rP, ea: ea, eb: eb,
                                    recA: recA, piS: piP, muS: muSP, mu: muP), at: block)
        }
        if blocks.count == 1 {
            run(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: blocks.count, execute: run)
        }
        var pvp = 0.0, pvl = 0.0, dis = 0.0, lossSum = 0.0
        var residual = [CompensatedSum](repeating: CompensatedSum(), count: k)
        for b in 0..<blocks.count {
            let s = results.slots[b]
            pvp += s.pvp
            pvl += s.pvl
            dis += s.dis
            lossSum += s.loss
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

/// One slot per block, each written by exactly one task (so no two threads touch the same
/// memory) and read after `concurrentPerform` returns.
struct BlockSlots: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<BlockSums>
    init(capacity: Int) { slots = .allocate(capacity: capacity) }
    func store(_ value: BlockSums, at index: Int) { (slots.baseAddress! + index).initialize(to: value) }
    func release() {
        slots.baseAddress!.deinitialize(count: slots.count)
        slots.deallocate()
    }
}

/// At or above this many responses the pair kernel splits its rows into `parallelBlocks` blocks
/// and runs them concurrently (below, the threads' start-up costs more than it saves).
let parallelThreshold = 1024
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

/// The pair sums of the rows `rowsIn` (pairs (i, j) with i in the block and j > i): the
/// SIMD-lane accumulators reduced to scalars, and the compensated residual row sums (rows
/// outside the block receive the mirror terms).
struct BlockSums {
    var pvp = 0.0, pvl = 0.0, dis = 0.0, loss = 0.0
    var rows: [Double]
    var comp: [Double]

    init(rowsIn block: Range<Int>, k: Int, beta: Double, v vP: [Double], r rP: [Double], ea: [Double], eb: [Double],
         recA: [Double], piS piP: [Double], muS muSP: [Double], mu muP: [Double]) {
        let width = Lanes.scalarCount
        var rows = [Double](repeating: 0, count: k + width)
        var comp = [Double](repeating: 0, count: k + width)
        var pvpV = Lanes(), pvlV = Lanes(), disV = Lanes(), lossV = Lanes()
        var pvpS = 0.0, pvlS = 0.0, disS = 0.0, lossS = 0.0

        vP.withUnsafeBufferPointer { v in
        rP.withUnsafeBufferPointer { r in
        ea.withUnsafeBufferPointer { ea in
        eb.withUnsafeBufferPointer { eb in
        recA.withUnsafeBufferPointer { recA in
        piP.withUnsafeBufferPointer { piS in
        muSP.withUnsafeBufferPointer { muS in
        muP.withUnsafeBufferPointer { mu in
        rows.withUnsafeMutableBufferPointer { rows in
        comp.withUnsafeMutableBufferPointer { comp in
            @inline(__always) func lanes(_ p: UnsafeBufferPointer<Double>, _ j: Int) -> Lanes {
                UnsafeRawPointer(p.baseAddress! + j).loadUnaligned(as: Lanes.self)
            }
            @inline(__always) func lanes(_ p: UnsafeMutableBufferPointer<Double>, _ j: Int) -> Lanes {
                UnsafeRawPointer(p.baseAddress! + j).loadUnaligned(as: Lanes.self)
            }
            @inline(__always) func store(_ x: Lanes, _ p: UnsafeMutableBufferPointer<Double>, _ j: Int) {
                UnsafeMutableRawPointer(p.baseAddress! + j).storeBytes(of: x, as: Lanes.self)
            }
            // Adds x to the compensated pair (rows[j], comp[j]).
            @inline(__always) func addToRow(_ j: Int, _ x: Double) {
                let t = rows[j] + x
                comp[j] += abs(rows[j]) >= abs(x) ? (rows[j] - t) + x : (x - t) + rows[j]
                rows[j] = t
            }

            for i in block {
                let vi = v[i], ri = r[i], eai = ea[i], ebi = eb[i], recAi = recA[i]
                let piSi = piS[i], muSi = muS[i], mui = mu[i]
                var rowV = Lanes(), rowCompV = Lanes()
                var j = i + 1
                while j < k {
                    let eaj = lanes(ea, j), ebj = lanes(eb, j)
                    let smallest = min(min(eaj.min(), ebj.min()), min(eai, ebi))
                    if smallest < exponentialFloor {
                        // Some lane's exponentials underflow: these four pairs take the direct forms.
                        for jj in j..<min(j + width, k) {
                            let wPolicy = piSi * piS[jj], wScaled = muSi * muS[jj]
                            let da = beta * (vi - v[jj]), db = ri - r[jj]
                            let tp = abs(da) <= seriesThreshold ? halfTanhSeries(da) : tanh(0.5 * da)
                            pvpS += wPolicy * tp * tp
                            if wScaled == 0 { continue }
                            let w = mui * mu[jj]
                            let tq = abs(db) <= seriesThreshold ? halfTanhSeries(db) : tanh(0.5 * db)
                            let e = sigmoidDifference(da, db)
                            pvlS += wScaled * tq * tq
                            disS += wScaled * e * e
                            lossS += w * (sigmoid(db) * softplus(-da) + sigmoid(-db) * softplus(da))
                            addToRow(i, w * e)
                            addToRow(jj, -(w * e))
                        }
                        j += width
                        continue
                    }
                    let da = beta * (vi - lanes(v, j)), db = ri - lanes(r, j)
                    let wPolicy = piSi * lanes(piS, j), wScaled = muSi * lanes(muS, j)
                    let w = mui * lanes(mu, j)
                    let invA = 1 / (eai + eaj), invB = 1 / (ebi + ebj)
                    let tp = ((eai - eaj) * invA).replacing(with: halfTanhSeries(da), where: nearZero(da))
                    let tq = ((ebi - ebj) * invB).replacing(with: halfTanhSeries(db), where: nearZero(db))
                    let dg = da - db
                    let cross = eai * ebj + eaj * ebi
                    // p - q = (ea_i eb_j - ea_j eb_i) / (A B) = tanh(dg/2) (ea_i eb_j + ea_j eb_i) / (A B):
                    // the difference form loses at most eps / |tanh(dg/2)| <= 8 eps when |dg| > 1/2.
                    let e = ((eai * ebj - eaj * ebi).replacing(with: halfTanhSeries(dg) * cross,
                                                              where: nearZero(dg))) * invA * invB
                    // Loss term: (1 - q) d + log1p(ea_j / ea_i) for d >= 0, q (-d) + log1p(ea_i / ea_j) below.
                    let up = da .>= 0
                    let u = (eai * lanes(recA, j)).replacing(with: eaj * recAi, where: up)
                    let linear = (ebi * invB * -da).replacing(with: ebj * invB * da, where: up)
                    pvpV += wPolicy * tp * tp
                    pvlV += wScaled * tq * tq
                    disV += wScaled * e * e
                    lossV += w * (linear + log1pUnit(u))
                    let we = w * e
                    var (t, err) = twoSum(rowV, we)
                    rowV = t
                    rowCompV += err
                    (t, err) = twoSum(lanes(rows, j), -we)
                    store(t, rows, j)
                    store(lanes(comp, j) + err, comp, j)
                    j += width
                }
                // Fold row i's lanes into its compensated sum, lane by lane in a fixed order.
                for lane in 0..<width {
                    addToRow(i, rowV[lane])
                    comp[i] += rowCompV[lane]
                }
            }
        }}}}}}}}}}
        self.pvp = pvpV.sum() + pvpS
        self.pvl = pvlV.sum() + pvlS
        self.dis = disV.sum() + disS
        self.loss = lossV.sum() + lossS
        self.rows = rows
        self.comp = comp
    }
}
