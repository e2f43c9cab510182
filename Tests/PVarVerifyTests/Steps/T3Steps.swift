// T3: B3 is not sharp, and its exponent 1/3 is not the right one. Proofs/T3-b3-not-sharp.md.
//
//   PVar = sum_{i != j} mu_i mu_j X_ij^2 <= (1/4) sum_{i != j} mu_i mu_j = (1 - sum mu^2)/4
//        <= (1 - 1/K)/4 < 1/4                                                   (steps 1-4)
//   at the reference: B3 / B2 = (3/sqrt2) PVar^(-1/6), ratio_B3 = ratio_B2 (sqrt2/3) PVar^(1/6)
//        <= (sqrt2/3) ((1 - 1/K)/4)^(1/6) < (sqrt2/3) 4^(-1/6) = 0.37415       (steps 5-7)
//   uniform two responses, reward gap g: ratio_B3 = tanh(|g|/2)^(1/3) / 3 -> 0 (g -> 0), -> 1/3
//        (g -> infinity), while ||grad L|| / (beta G) = sqrt(2 PVar) (B2 attained)   (steps 8-9)
// The fitted exponents of the sweep (gsl_fit_linear) are in the Tightness suite
// (TightnessTests.exponentFitsOnTheSweep); here the closed forms are checked point by point.

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Accuracy of the library's evaluation (PVar, mu): 1e-12 relative, the documented agreement
/// with the independent 50-digit evaluation (`Evaluation`'s doc comment).
private let t3LibraryAccuracy = 1e-12

/// Sixteen ulps: B2's and B3's values and ratios are products of at most four correctly rounded
/// factors, with sqrt, cbrt and pow each within 1 ulp (glibc) of the same PVar; a comparison of
/// two such expressions sees at most about 14 roundings.
private let t3SixteenUlps = 16 * Double.ulpOfOne

/// `(sqrt 2 / 3) ((1 - 1/K) / 4)^(1/6)`: the bound on B3's ratio for K responses (step 7).
private func b3RatioBound(responses k: Int) -> Double {
    2.0.squareRoot() / 3 * pow((1 - 1 / Double(k)) / 4, 1.0 / 6)
}

/// One instance with the pair sums of steps 1-4.
private struct T3Pairs {
    let e: Evaluation
    let table: PairTable
    let k: Int
    let message: String

    init(_ e: Evaluation, _ message: String) {
        self.e = e
        table = PairTable(e)
        k = e.problem.responseCount
        self.message = message
    }

    /// `sum_{i != j} mu_i mu_j X_ij^2`.
    var offDiagonalPVar: Double { table.expectation { $0 == $1 ? 0 : table.centredQ($0, $1) * table.centredQ($0, $1) } }
    /// `sum_{i != j} mu_i mu_j` (stable form of `1 - sum mu^2`).
    var offDiagonalWeight: Double { table.expectation { $0 == $1 ? 0 : 1 } }
    var sumOfSquares: Double { table.mu.reduce(0) { $0 + $1 * $1 } }
}

@Suite("T3")
struct T3Tests {
    /// Steps 1-4 on every regime: 3 regimes x 6 families x 12 = 216 instances.
    fileprivate static func forEachInstanceOfEveryRegime(_ check: (T3Pairs) -> Void) {
        for (r, f, i) in spread(12) {
            check(T3Pairs(evaluate(generator.instance(r, f, index: i)), replay(r, f, i)))
        }
    }

    /// Steps 5-7 on at-reference instances (6 x 30 = 180) whose PVar is in the normal range
    /// (PVar > 1e-290, where pow and the cube root keep their relative accuracy); instances
    /// with PVar = 0 (K = 1, equal rewards) have both bounds 0 and are the edge case; the rest
    /// are counted and must be at most 5%.
    fileprivate static func forEachAtReferenceInstance(_ check: (Evaluation, String) -> Void) {
        var checked = 0, skipped = 0
        for f in Family.allCases {
            for i in 0..<30 {
                let e = evaluate(generator.instance(.atReference, f, index: i))
                #expect(e.bound(.B3).applies, "\(replay(.atReference, f, i))")
                if e.pvarLabels == 0 && !e.policyUnderflows {
                    #expect(e.bound(.B2).value == 0 && e.bound(.B3).value == 0, "\(replay(.atReference, f, i))")
                    continue
                }
                guard e.pvarLabels > resolutionFloor, e.scoreBound > 0, e.gradientNorm > resolutionFloor else {
                    skipped += 1
                    continue
                }
                check(e, replay(.atReference, f, i))
                checked += 1
            }
        }
        #expect(checked >= 120, "only \(checked) checked")
        #expect(skipped * 20 <= checked + skipped, "\(skipped) of \(checked + skipped) below the double range")
    }

    /// The uniform two-response family at the reference: reward gaps 10^-6 .. 10^1.25.
    static let sweep = uniformTwoResponseSweep(exponents: stride(from: -6.0, through: 1.25, by: 0.25).map { $0 })

    @Test("T3 step 1: X_ii = 0, so PVar_labels = sum_{i != j} mu_i mu_j X_ij^2")
    func step1DiagonalVanishes() {
        Self.forEachInstanceOfEveryRegime { x in
            for i in 0..<x.k { #expect(x.table.centredQ(i, i) == 0, "\(x.message)") }
            let sum = x.offDiagonalPVar
            // K^2 nonnegative terms (gamma_{K^2}) against the library's PVar (1e-12).
            #expect(relativeError(sum, x.e.pvarLabels) <= t3LibraryAccuracy + summationBound(terms: x.k * x.k),
                    "\(sum) vs \(x.e.pvarLabels); \(x.message)")
        }
    }

    @Test("T3 step 2: |X_ij| < 1/2, so PVar_labels <= (1/4) sum_{i != j} mu_i mu_j")
    func step2CentredLabelsBelowOneHalf() {
        Self.forEachInstanceOfEveryRegime { x in
            for i in 0..<x.k {
                for j in 0..<x.k { #expect(abs(x.table.centredQ(i, j)) <= 0.5, "\(x.message)") }
            }
            // Termwise X^2 <= 1/4 for the computed X; two K^2-term sums.
            #expect(x.offDiagonalPVar <= 0.25 * x.offDiagonalWeight * (1 + 2 * summationBound(terms: x.k * x.k)),
                    "\(x.offDiagonalPVar) vs \(0.25 * x.offDiagonalWeight); \(x.message)")
        }
    }

    @Test("T3 step 3: sum_{i != j} mu_i mu_j = (sum mu)^2 - sum mu^2 = 1 - sum mu^2")
    func step3OffDiagonalWeight() {
        Self.forEachInstanceOfEveryRegime { x in
            let lhs = x.offDiagonalWeight
            let rhs = 1 - x.sumOfSquares
            // Absolute: two sums of at most K^2 terms of total <= 1, and sum mu = 1 within 1e-12
            // (library), which (sum mu)^2 doubles.
            #expect(abs(lhs - rhs) <= 2 * summationBound(terms: x.k * x.k) + 2 * t3LibraryAccuracy,
                    "\(lhs) vs \(rhs); \(x.message)")
        }
    }

    @Test("T3 step 4: sum mu^2 >= 1/K, so PVar_labels <= (1 - 1/K)/4 < 1/4 (0 at K = 1)")
    func step4BelowOneQuarter() {
        Self.forEachInstanceOfEveryRegime { x in
            let k = Double(x.k)
            // Cauchy-Schwarz: 1 = (sum mu)^2 <= K sum mu^2; the sums to gamma_K and 1e-12.
            #expect(x.sumOfSquares >= (1 / k) * (1 - summationBound(terms: x.k) - 2 * t3LibraryAccuracy), "\(x.message)")
            #expect(x.offDiagonalWeight <= (1 - 1 / k) * (1 + summationBound(terms: x.k * x.k)) + 2 * t3LibraryAccuracy, "\(x.message)")
            #expect(x.e.pvarLabels <= (1 - 1 / k) / 4 * (1 + t3LibraryAccuracy), "PVar \(x.e.pvarLabels), K \(x.k); \(x.message)")
            #expect(x.e.pvarLabels < 0.25, "\(x.message)")
            if x.k == 1 { #expect(x.e.pvarLabels == 0, "\(x.message)") }
        }
    }

    @Test("T3 step 5: at the reference B3's value / B2's value = (3/sqrt2) PVar^(-1/6)")
    func step5ValueRatio() {
        Self.forEachAtReferenceInstance { e, message in
            let quotient = e.bound(.B3).value / e.bound(.B2).value
            let closed = 3 / 2.0.squareRoot() * pow(e.pvarLabels, -1.0 / 6)
            #expect(relativeError(quotient, closed) <= t3SixteenUlps, "\(quotient) vs \(closed); \(message)")
            // With PVar < 1/4 (step 4): > (3/sqrt2) 4^(1/6) = 2.67.
            #expect(quotient > 3 / 2.0.squareRoot() * pow(4, 1.0 / 6) * (1 - t3SixteenUlps), "\(message)")
        }
    }

    @Test("T3 step 6: ratio_B3 = ratio_B2 (sqrt2/3) PVar^(1/6)")
    func step6RatioIdentity() {
        Self.forEachAtReferenceInstance { e, message in
            let r2 = e.bound(.B2).ratio, r3 = e.bound(.B3).ratio
            let closed = r2 * 2.0.squareRoot() / 3 * pow(e.pvarLabels, 1.0 / 6)
            #expect(relativeError(r3, closed) <= t3SixteenUlps, "\(r3) vs \(closed); \(message)")
        }
    }

    @Test("T3 step 7: ratio_B3 <= (sqrt2/3) ((1 - 1/K)/4)^(1/6) < (sqrt2/3) 4^(-1/6) = 0.37415 (= 1/3 at K = 2)")
    func step7ProvenSupremum() {
        #expect(abs(b3RatioBound(responses: 2) - 1.0 / 3) <= t3SixteenUlps, "K = 2: (sqrt2/3) 8^(-1/6) = 1/3")
        #expect(abs(provenB3RatioBound - 0.37415) < 5e-6)
        for k in [2, 3, 5, 64, 4096] { #expect(b3RatioBound(responses: k) < provenB3RatioBound) }
        Self.forEachAtReferenceInstance { e, message in
            let k = e.problem.responseCount
            // Link 1: ratio_B2 <= 1 (B2; the library's holds-tolerance for a double-level ratio).
            #expect(e.bound(.B2).ratio <= 1 + ratioTolerance, "\(message)")
            // Link 2: (sqrt2/3) PVar^(1/6) <= (sqrt2/3) ((1 - 1/K)/4)^(1/6) (step 4, pow within 1 ulp).
            let factor = 2.0.squareRoot() / 3 * pow(e.pvarLabels, 1.0 / 6)
            #expect(factor <= b3RatioBound(responses: k) * (1 + t3SixteenUlps), "\(message)")
            // The conclusion, and the K-free bound.
            #expect(e.bound(.B3).ratio <= b3RatioBound(responses: k) * (1 + ratioTolerance), "ratio \(e.bound(.B3).ratio), K \(k); \(message)")
            #expect(e.bound(.B3).ratio < provenB3RatioBound, "\(message)")
        }
    }

    @Test("T3 step 8: uniform two responses, gap g: ratio_B2 = 1 and ratio_B3 = (sqrt2/3) PVar^(1/6) = tanh(g/2)^(1/3) / 3, increasing to 1/3")
    func step8UniformFamily() throws {
        #expect(Self.sweep.count == 30)
        var previous = 0.0
        for s in Self.sweep {
            #expect(abs(s.ratioB2 - 1) <= t3SixteenUlps, "gap \(s.rewardGap): ratio_B2 \(s.ratioB2)")
            #expect(relativeError(s.ratioB3, 2.0.squareRoot() / 3 * pow(s.pvarLabels, 1.0 / 6)) <= t3SixteenUlps, "gap \(s.rewardGap)")
            // PVar = X^2 / 2 with X = tanh(g/2)/2, so (sqrt2/3) PVar^(1/6) = (2X)^(1/3) / 3.
            let closed = cbrt(tanh(s.rewardGap / 2)) / 3
            #expect(relativeError(s.ratioB3, closed) <= t3SixteenUlps, "gap \(s.rewardGap): \(s.ratioB3) vs \(closed)")
            #expect(s.ratioB3 > previous && s.ratioB3 < 1.0 / 3, "gap \(s.rewardGap): \(s.ratioB3)")
            previous = s.ratioB3
        }
        // g -> 0: (1/3)(g/2)^(1/3) -> 0; g -> infinity: 1/3 - ratio ~ (2/9) e^-g.
        #expect(Self.sweep.first!.ratioB3 < 0.003)
        #expect(1.0 / 3 - Self.sweep.last!.ratioB3 < 1e-7)
        // Any beta: the ratios do not depend on it.
        for beta in [1e-3, 50.0] {
            let e = try Evaluation(twoResponsesAtReference(first: 0.5, rewardGap: 0.7, beta: beta))
            #expect(relativeError(e.bound(.B3).ratio, cbrt(tanh(0.35)) / 3) <= t3SixteenUlps, "beta \(beta)")
        }
    }

    @Test("T3 step 9: on the family ||grad L|| / (beta G) = sqrt(2 PVar) exactly, so exponent 1/2 is attained and no exponent above 1/2 holds")
    func step9ExponentOneHalfIsSharp() {
        for s in Self.sweep {
            // B2 attained: sqrt(2 PVar); against any exponent alpha the quotient is sqrt2 PVar^(1/2 - alpha).
            let root = (2 * s.pvarLabels).squareRoot()
            #expect(relativeError(s.normalizedGradient, root) <= t3SixteenUlps, "gap \(s.rewardGap)")
            for alpha in [0.55, 2.0 / 3, 1.0] {
                let quotient = s.normalizedGradient / pow(s.pvarLabels, alpha)
                #expect(relativeError(quotient, 2.0.squareRoot() * pow(s.pvarLabels, 0.5 - alpha)) <= t3SixteenUlps,
                        "gap \(s.rewardGap), alpha \(alpha)")
            }
        }
        // ... which is unbounded as PVar -> 0: at the smallest gap (PVar ~ 3e-14), alpha = 1 already gives ~ 8e6.
        #expect(Self.sweep.first!.normalizedGradient / Self.sweep.first!.pvarLabels > 1e6)
    }
}
