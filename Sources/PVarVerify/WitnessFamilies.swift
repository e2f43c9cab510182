// Families of instances on which the bounds are attained, or decay at a known rate.

import Foundation
import PVarCore

/// Two responses at the reference (tabular, `theta = log pi_ref` exactly), pairs from the policy,
/// labels from rewards `(gap, 0)`.
///
/// Closed forms (with `X = sigmoid(gap) - 1/2`, `pi = (a, 1 - a)`):
/// - `||grad L|| = 2 sqrt(2) beta a (1 - a) |X|` (tabular: `s_1 - s_2 = e_1 - e_2`),
/// - `PVar_labels = 2 a (1 - a) X^2`, `G = sqrt(2) max(a, 1 - a)`,
/// - B2's ratio `= sqrt(min(a, 1 - a) / max(a, 1 - a))`: equality exactly when the reference is uniform;
/// - B3's ratio `= (sqrt(2) / 3) PVar^(1/6) sqrt(min/max)`, at most `1/3`, approached as `gap -> infinity`
///   with `a = 1/2`, and decaying like `PVar^(1/6)` as `PVar -> 0`.
public func twoResponsesAtReference(first a: Double, rewardGap: Double, beta: Double = 1) -> Problem {
    do {
        let reference = [a, 1 - a]
        return try Problem(beta: beta, features: nil, theta: reference.map { log($0) }, reference: reference,
                           rewards: [rewardGap, 0], pairs: .policy)
    } catch {
        preconditionFailure("two-response witness is valid for 0 < a < 1: \(error)")
    }
}

/// B2's ratio on `twoResponsesAtReference(first: a, ...)`, in closed form: `sqrt(min/max)`.
public func twoResponseB2Ratio(first a: Double) -> Double {
    (min(a, 1 - a) / max(a, 1 - a)).squareRoot()
}

/// One point of a sweep: the labels' PVar and the quantities compared.
public struct SweepPoint: Sendable {
    public let rewardGap: Double
    public let pvarLabels: Double
    /// `||grad L|| / (beta G)`: what B2 bounds by `sqrt(2) PVar^(1/2)` and B3 by `3 PVar^(1/3)`.
    public let normalizedGradient: Double
    public let ratioB2: Double
    public let ratioB3: Double
}

/// The uniform two-response family at the reference for reward gaps `10^e`, e in `exponents`:
/// as the gap shrinks PVar -> 0, the gradient falls like `PVar^(1/2)` (B2's exponent, sharp)
/// and B3's ratio like `PVar^(1/6)` (its exponent 1/3 is not sharp).
public func uniformTwoResponseSweep(exponents: [Double]) -> [SweepPoint] {
    exponents.compactMap { e in
        let gap = pow(10, e)
        guard let ev = try? Evaluation(twoResponsesAtReference(first: 0.5, rewardGap: gap)) else { return nil }
        return SweepPoint(rewardGap: gap, pvarLabels: ev.pvarLabels,
                          normalizedGradient: ev.gradientNorm / (ev.problem.beta * ev.scoreBound),
                          ratioB2: ev.bound(.B2).ratio, ratioB3: ev.bound(.B3).ratio)
    }
}

/// The supremum of B3's ratio found by the proofs: at the reference `||grad L|| <= sqrt(2) beta G
/// sqrt(PVar)` (B2) and `PVar < 1/4`, so `ratio_B3 <= (sqrt(2)/3) PVar^(1/6) < (sqrt(2)/3) 4^(-1/6)`.
public let provenB3RatioBound: Double = {
    // (c2 / c3) (1/4)^(1/k2 - 1/k3), the constants and root degrees of B2 and B3 from the table.
    let b2 = BoundID.B2.definition, b3 = BoundID.B3.definition
    let k2 = b2.rootDegree!, k3 = b3.rootDegree!
    return b2.constant.value / b3.constant.value * pow(4, -Double(k3 - k2) / Double(k2 * k3))
}()
