// Claims evaluated in doubles: the quantities of one `Evaluation` (or given values), IEEE
// operations, accurate roots of the PVars and products without spurious overflow. The statements
// B0–B3 are evaluated here too (`BoundID.value`), so a built-in bound and a user's claim take the
// same path.

import Foundation

/// The double arithmetic of claims.
///
/// - Quantities: `Evaluation.claimQuantity` (the numbers `pvar evaluate` prints), or given values.
/// - Roots written `sqrt(x)` or `x ^ (1/n)`: of a named quantity, `Evaluation.claimRoot` (for the
///   PVars the root is taken before the pair sums are scaled back, so it stays accurate where the
///   PVar itself underflows; `sqrt`, `cbrt` or `pow` otherwise); of any other expression,
///   `nthRoot` of its value, NaN for a negative value (a real root of a negative number is not
///   what `x ^ (1/3)` means in the claim language; the balls leave it undefined too).
/// - Chains of `*`: `safeProduct` (the significands multiplied and the exponents added apart, so
///   `1e300 * 1e10 * 1e-300` is `1e10`, not `inf`; a zero factor gives 0 even next to an infinite
///   one, a NaN factor NaN). The same bits as the left-to-right product wherever that stays in
///   the normal range.
/// - Otherwise IEEE: `^` is `pow`; `sqrt` of a negative number, `log` of a non-positive one and
///   similar give NaN (or -inf), and a ratio with NaN decides nothing (`Claim.ratio`).
public struct ClaimDoubles: ClaimArithmetic, Sendable {
    private let value: @Sendable (ClaimQuantity) -> Double
    private let rootOf: @Sendable (ClaimQuantity, Int) -> Double
    public let freeConstant: Double

    /// The quantities of one evaluated instance.
    public init(_ evaluation: Evaluation, freeConstant: Double = .nan) {
        self.value = { evaluation.claimQuantity($0) }
        self.rootOf = { evaluation.claimRoot($0, degree: $1) }
        self.freeConstant = freeConstant
    }

    /// Given quantities (e.g. limits as beta -> 0): `value(q)`, and `root(q, n)` for roots of a
    /// named quantity (default: `nthRoot` of the value). Used by the beta-limit edge case (E4).
    public init(freeConstant: Double = .nan, value: @escaping @Sendable (ClaimQuantity) -> Double,
                root: (@Sendable (ClaimQuantity, Int) -> Double)? = nil) {
        self.value = value
        self.rootOf = root ?? { q, n in nthRoot(value(q), degree: n) }
        self.freeConstant = freeConstant
    }

    public func literal(_ text: String) -> Double { Double(text) ?? .nan }

    public func quantity(_ q: ClaimQuantity) -> Double { value(q) }

    public func negate(_ x: Double) -> Double { -x }

    public func apply(_ op: ClaimOperator, _ x: Double, _ y: Double) -> Double {
        switch op {
        case .add: x + y
        case .subtract: x - y
        case .multiply: x * y
        case .divide: x / y
        case .power: pow(x, y)
        }
    }

    public func call(_ f: ClaimFunction, _ args: [Double]) -> Double {
        switch f {
        case .sqrt: args[0].squareRoot()
        case .log: Foundation.log(args[0])
        case .exp: Foundation.exp(args[0])
        case .abs: Swift.abs(args[0])
        // NaN in any argument gives NaN, whatever the order (Swift.min(1, .nan) is 1).
        case .min: args.contains { $0.isNaN } ? .nan : args.dropFirst().reduce(args[0]) { Swift.min($0, $1) }
        case .max: args.contains { $0.isNaN } ? .nan : args.dropFirst().reduce(args[0]) { Swift.max($0, $1) }
        }
    }

    public func root(_ x: ClaimExpression, degree: Int) -> Double {
        if case .quantity(let q) = x { return rootOf(q, degree) }
        let v = x.evaluate(in: self)
        return v >= 0 ? nthRoot(v, degree: degree) : .nan
    }

    public func product(_ factors: [Double]) -> Double { safeProduct(factors) }
}

extension Evaluation {
    /// A claim quantity of this instance in doubles (the same values `pvar evaluate` prints).
    public func claimQuantity(_ q: ClaimQuantity) -> Double {
        switch q {
        case .gradientNorm: gradientNorm
        case .loss: loss
        case .pvarPolicy: pvarPolicy
        case .pvarLabels: pvarLabels
        case .labelVariance: meanLabelVariance
        case .disagreement: disagreement
        case .scoreSpread: scoreSpread
        case .scoreBound: scoreBound
        case .fisherTrace: fisherTrace
        case .noise: noiseDecomposition().total
        case .labelNoise: noiseDecomposition().labelNoise
        case .snr: signalToNoise()
        case .beta: problem.beta
        case .K: Double(problem.responseCount)
        case .d: Double(problem.dimension)
        case .minPolicyProbability: policy.min() ?? .nan
        case .maxPolicyProbability: policy.max() ?? .nan
        case .maxRewardGap: (problem.rewards.max() ?? 0) - (problem.rewards.min() ?? 0)
        }
    }

    /// `q^(1/degree)` in doubles: for the PVars the root of the pair sum stored times `2^600`
    /// (`PairSums.root(_:degree:)`), so `sqrt(PVar)` stays accurate where `PVar` itself underflows;
    /// for the other quantities `nthRoot` of the value (NaN for a negative one).
    public func claimRoot(_ q: ClaimQuantity, degree: Int) -> Double {
        switch q {
        case .pvarPolicy: return PairSums.root(scaledPVarPolicy, degree: degree)
        case .pvarLabels: return PairSums.root(scaledPVarLabels, degree: degree)
        default:
            let v = claimQuantity(q)
            return v >= 0 ? nthRoot(v, degree: degree) : .nan
        }
    }

    /// The claim's sides and ratio on this instance in doubles.
    public func claimRatio(_ claim: Claim, freeConstant: Double = .nan) -> (smaller: Double, larger: Double, ratio: Double) {
        let a = ClaimDoubles(self, freeConstant: freeConstant)
        let s = claim.smaller.evaluate(in: a), l = claim.larger.evaluate(in: a)
        return (s, l, claim.ratio(smaller: s, larger: l))
    }
}
