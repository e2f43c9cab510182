// Edge case E4: beta -> 0 and beta -> infinity.

import Foundation
import PVarCertify
import PVarCore

/// The betas of the E4 sweep: `10^-k` (towards 0) or `10^k` (towards infinity), k = 1...8.
public let betaSweepExponents = 1...8

/// Which limit of beta.
public enum BetaLimitSide: String, Sendable, CaseIterable {
    case zero = "beta -> 0"
    case infinity = "beta -> infinity"
}

/// The limits of an instance's quantities as beta -> 0 or beta -> infinity, in closed form from
/// the instance's inputs (never by evaluating the instance at a special beta), with explicit
/// error bounds at finite beta.
///
/// With `du_ij = (z_i - z_j) - (log pi_ref_i - log pi_ref_j)` (`z = Phi theta`, computed in
/// difference space so that identical rows and references give an exact tie `du = 0`) and
/// `p(i,j) = sigmoid(beta du_ij)`; `pi`, `mu`, `q`, `D`, `G` do not depend on beta:
/// - zero: `p -> 1/2`; `grad/beta -> E_mu[(1/2 - q) dphi]`; `PVar_policy/beta^2 -> E_pi[du^2]/16`;
///   `delta -> sqrt(E_mu[(1/2 - q)^2])`;
/// - infinity: `p -> step(du)` (1/2 on ties); `grad/beta -> E_mu[(step - q) dphi]`;
///   `PVar_policy -> E_pi[(step - 1/2)^2]`; `delta -> sqrt(E_mu[(step - q)^2])`.
///
/// Error bounds (each a proved inequality, see `mathSays` of E4):
/// - `||grad/beta - L|| <= E_mu[e(beta) ||dphi||]` with `e = beta |du| / 4` (zero) or
///   `exp(-beta |du|)` on untied pairs (infinity), because `|p - p_lim| <= e`;
/// - zero: `0 <= lim - PVar/beta^2 <= beta^2 E_pi[du^4] / 96` (from `0 <= y^2 - tanh^2 y <= 2 y^4 / 3`);
///   infinity: `0 <= lim - PVar <= E_pi[exp(-beta |du|)]` (`1/4 - (p - 1/2)^2 = p (1 - p)`);
/// - a ratio `a/b` with `|a - a*| <= Ea`, `|b - b*| <= Eb < b*`:
///   `|a/b - a*/b*| <= (Ea + (a*/b*) Eb) / (b* - Eb)`, where `a = ||grad||/beta` and
///   `b = value/beta`; `Eb = D sqrt(E_mu[e^2])` for B0 and `sqrt(2) G sqrt(E_pi[e^2])` for B1
///   (Minkowski), 0 for B2 and B3.
public struct BetaLimit: Sendable {
    public let side: BetaLimitSide
    /// `lim grad/beta`.
    public let gradientOverBeta: [Double]
    /// zero: `lim PVar_policy / beta^2`; infinity: `lim PVar_policy`.
    public let pvarPolicy: Double
    /// `PVar_labels` (independent of beta).
    public let pvarLabels: Double
    /// `lim delta`.
    public let disagreement: Double
    public let scoreSpread: Double
    public let scoreBound: Double
    /// `lim ||grad L|| / value` for each statement (`0/0 := 0`, `x/0 = +infinity`).
    public var ratios: [BoundID: Double] {
        let a = euclideanNorm(gradientOverBeta)
        return Dictionary(uniqueKeysWithValues: BoundID.allCases.map { id in
            let b = id.definition.rightHandSide(in: limitInputs)
            return (id, a == 0 ? 0 : (b == 0 ? .infinity : a / b))
        })
    }
    /// `E_mu ||phi_i - phi_j||`, the scale of `grad/beta` (a sum of term magnitudes, >= every
    /// `||grad/beta||`), for rounding allowances.
    public let gradientScale: Double

    /// One ordered pair with positive weight: `mu_i mu_j`, `pi_i pi_j`, `du_ij`, `||phi_i - phi_j||`.
    struct Pair: Sendable {
        let mu: Double, pi: Double, du: Double, distance: Double
    }
    let pairs: [Pair]

    public init(_ p: Problem, _ side: BetaLimitSide) {
        self.side = side
        let k = p.responseCount
        let rows = p.features ?? (0..<k).map { i in (0..<k).map { $0 == i ? 1.0 : 0.0 } }
        let d = p.dimension
        func difference(_ i: Int, _ j: Int) -> [Double] { (0..<d).map { rows[i][$0] - rows[j][$0] } }
        // z_i - z_j in difference space; pi by a shifted softmax.
        let z = rows.map { row in zip(row, p.theta).reduce(0) { $0 + $1.0 * $1.1 } }
        let top = z.max() ?? 0
        let shifted = z.map { exp($0 - top) }
        let total = shifted.reduce(0, +)
        let pi = shifted.map { $0 / total }
        let mu: [Double]
        switch p.pairs {
        case .policy: mu = pi
        case .reference: mu = p.referenceDistribution
        case .weights: mu = p.explicitPairWeights ?? []
        }

        var limit = [Double](repeating: 0, count: d)
        var pvarPolicy = 0.0, pvarLabels = 0.0, squaredDisagreement = 0.0, squaredSpread = 0.0, scale = 0.0
        var pairs: [Pair] = []
        for i in 0..<k {
            for j in 0..<k where i != j {
                let dphi = difference(i, j)
                let du = dphi.indices.reduce(0) { $0 + dphi[$1] * p.theta[$1] } - (log(p.reference[i]) - log(p.reference[j]))
                let cq = tanh((p.rewards[i] - p.rewards[j]) / 2) / 2          // q - 1/2
                let cpLimit: Double                                             // p_lim - 1/2
                switch side {
                case .zero: cpLimit = 0
                case .infinity: cpLimit = du > 0 ? 0.5 : (du < 0 ? -0.5 : 0)
                }
                let wMu = mu[i] * mu[j], wPi = pi[i] * pi[j]
                let distance = euclideanNorm(dphi)
                for c in 0..<d { limit[c] += wMu * (cpLimit - cq) * dphi[c] }
                switch side {
                case .zero: pvarPolicy += wPi * du * du / 16
                case .infinity: pvarPolicy += wPi * cpLimit * cpLimit
                }
                pvarLabels += wMu * cq * cq
                squaredDisagreement += wMu * (cpLimit - cq) * (cpLimit - cq)
                squaredSpread += wMu * distance * distance
                scale += wMu * distance
                pairs.append(Pair(mu: wMu, pi: wPi, du: du, distance: distance))
            }
        }
        var scoreBound = 0.0
        for y in 0..<k {
            var s = [Double](repeating: 0, count: d)
            for m in 0..<k where m != y {
                let dphi = difference(y, m)
                for c in 0..<d { s[c] += pi[m] * dphi[c] }
            }
            scoreBound = max(scoreBound, euclideanNorm(s))
        }
        gradientOverBeta = limit
        self.pvarPolicy = pvarPolicy
        self.pvarLabels = pvarLabels
        disagreement = squaredDisagreement.squareRoot()
        scoreSpread = squaredSpread.squareRoot()
        self.scoreBound = scoreBound
        gradientScale = scale
        self.pairs = pairs
    }

    /// The limit quantities as statement inputs with `beta = 1`: each bound's right-hand side is
    /// `beta` times its value here (B1's `sqrt(PVar_policy)` is `O(beta)` as `beta -> 0`, so its
    /// limit drops out).
    var limitInputs: ClaimDoubles {
        let (d, delta, g) = (scoreSpread, disagreement, scoreBound)
        let (policy, labels) = (side == .zero ? 0 : pvarPolicy, pvarLabels)
        return ClaimDoubles { q in
            switch q {
            case .beta: 1
            case .scoreSpread: d
            case .disagreement: delta
            case .scoreBound: g
            case .pvarPolicy: policy
            case .pvarLabels: labels
            default: .nan   // no statement uses another quantity; NaN would show if one did
            }
        }
    }

    /// `e(beta)` for one pair: a bound on `|p - p_lim|`.
    func pairError(_ q: Pair, beta: Double) -> Double {
        switch side {
        case .zero: return beta * abs(q.du) / 4
        case .infinity: return q.du == 0 ? 0 : exp(-beta * abs(q.du))
        }
    }

    /// A bound on `||grad/beta - gradientOverBeta||` at `beta`.
    public func gradientErrorBound(beta: Double) -> Double {
        pairs.reduce(0) { $0 + $1.mu * pairError($1, beta: beta) * $1.distance }
    }

    /// A bound on `pvarPolicy - PVar/beta^2` (zero) or `pvarPolicy - PVar` (infinity), both >= 0.
    public func pvarPolicyErrorBound(beta: Double) -> Double {
        switch side {
        case .zero: return beta * beta * pairs.reduce(0) { $0 + $1.pi * pow($1.du, 4) } / 96
        case .infinity: return pairs.reduce(0) { $0 + $1.pi * pairError($1, beta: beta) }
        }
    }

    /// The tool's PVar_policy in the scale of `pvarPolicy` (divided by beta^2 for beta -> 0).
    public func scaledPVarPolicy(_ e: Evaluation) -> Double {
        side == .zero ? e.pvarPolicy / (e.problem.beta * e.problem.beta) : e.pvarPolicy
    }

    /// A bound on `|ratio(beta) - ratios[id]|`, or +infinity where the quotient bound does not apply.
    public func ratioErrorBound(_ id: BoundID, beta: Double) -> Double {
        let ea = gradientErrorBound(beta: beta)
        let a = euclideanNorm(gradientOverBeta)
        let rootMu = pairs.reduce(0) { $0 + $1.mu * pow(pairError($1, beta: beta), 2) }.squareRoot()
        let rootPi = pairs.reduce(0) { $0 + $1.pi * pow(pairError($1, beta: beta), 2) }.squareRoot()
        // Each right-hand side of the table is beta times fixed factors (D, G, constants) times at
        // most one factor that moves with beta: delta, or a sum of square roots containing
        // sqrt(PVar_policy); PVar_labels does not move. That factor is 1-Lipschitz in the moving
        // quantity: |delta(beta) - delta_lim| <= rootMu, |sqrt(PVar_policy(beta)) - sqrt(PVar_lim)|
        // <= rootPi (Minkowski). So the error of b is the right-hand side evaluated on those errors
        // with PVar_labels set to 0. A statement outside that shape (two moving factors, or another
        // root of PVar_policy) gets no error bound: +infinity, conservative.
        let definition = id.definition
        let moving = definition.factors.filter { f in
            switch f {
            case .quantity(let q): q == .disagreement
            case .roots(let qs, _): qs.contains(.pvarPolicy)
            }
        }
        let squareRootsOnly = moving.allSatisfy { if case .roots(_, let degree) = $0 { degree == 2 } else { true } }
        guard moving.count <= 1, squareRootsOnly else { return .infinity }
        let b = definition.rightHandSide(in: limitInputs)
        let (d, g) = (scoreSpread, scoreBound)
        let errors = ClaimDoubles(value: { q in
            switch q {
            case .beta: 1
            case .scoreSpread: d
            case .disagreement: rootMu
            case .scoreBound: g
            case .pvarPolicy: rootPi
            case .pvarLabels: 0
            default: .nan
            }
        }, root: { q, _ in q == .pvarPolicy ? rootPi : q == .pvarLabels ? 0 : .nan })
        let eb = definition.rightHandSide(in: errors)
        guard eb.isFinite, b > eb else { return .infinity }
        return (ea + a / b * eb) / (b - eb)
    }
}

/// One beta of the E4 sweep: the tool's values, their distance to the limit and the bound on it.
public struct BetaSweepPoint: Sendable {
    public let beta: Double
    public let evaluation: Evaluation
    /// `||grad/beta - lim||` and its bound.
    public let gradientError: Double
    public let gradientErrorBound: Double
    /// PVar_policy in the limit's scale, `lim - that`, and the bound on it.
    public let scaledPVarPolicy: Double
    public let pvarPolicyError: Double
    public let pvarPolicyErrorBound: Double
    /// `|ratio - lim ratio|` and its bound, per statement.
    public let ratioErrors: [BoundID: Double]
    public let ratioErrorBounds: [BoundID: Double]
}

/// The betas of one side of the sweep, approaching the limit: `10^-k` or `10^k`, k = 1...8.
public func sweepBetas(_ side: BetaLimitSide) -> [Double] {
    betaSweepExponents.map { side == .zero ? pow(10, -Double($0)) : pow(10, Double($0)) }
}

/// The instance `p` with its beta replaced.
public func withBeta(_ p: Problem, _ beta: Double) throws(InputError) -> Problem {
    try Problem(beta: beta, features: p.features, theta: p.theta, reference: p.reference, rewards: p.rewards, pairs: p.pairs)
}

/// The tool evaluated along one side of the sweep, each point measured against `limit`.
public func betaSweep(_ p: Problem, _ limit: BetaLimit) throws(InputError) -> [BetaSweepPoint] {
    var points: [BetaSweepPoint] = []
    for beta in sweepBetas(limit.side) {
        let e = try Evaluation(try withBeta(p, beta))
        let g = euclideanNorm(zip(e.gradient, limit.gradientOverBeta).map { $0 / beta - $1 })
        let scaled = limit.scaledPVarPolicy(e)
        var ratioErrors: [BoundID: Double] = [:], ratioBounds: [BoundID: Double] = [:]
        for b in e.bounds {
            ratioErrors[b.id] = abs(b.ratio - limit.ratios[b.id]!)
            ratioBounds[b.id] = limit.ratioErrorBound(b.id, beta: beta)
        }
        points.append(BetaSweepPoint(
            beta: beta, evaluation: e, gradientError: g, gradientErrorBound: limit.gradientErrorBound(beta: beta),
            scaledPVarPolicy: scaled, pvarPolicyError: limit.pvarPolicy - scaled,
            pvarPolicyErrorBound: limit.pvarPolicyErrorBound(beta: beta), ratioErrors: ratioErrors, ratioErrorBounds: ratioBounds))
    }
    return points
}

/// Rounding allowances of the E4 comparisons (the double evaluation's documented accuracy,
/// applied to the scale of each quantity): `||grad/beta||` to `gradientScale`, PVar to its limit,
/// a ratio to the ratio (four quantities enter it).
public func betaSweepAllowances(_ limit: BetaLimit) -> (gradient: Double, pvarPolicy: Double, ratio: [BoundID: Double]) {
    (edgeCaseAccuracy * limit.gradientScale, edgeCaseAccuracy * limit.pvarPolicy,
     limit.ratios.mapValues { 4 * edgeCaseAccuracy * $0 })
}

/// E4: beta -> 0 and beta -> infinity.
public func examineBetaLimits(_ c: EdgeCase) -> EdgeCaseOutcome {
    var f = Findings()
    var parts: [String] = []
    var briefs: [String] = []
    for side in BetaLimitSide.allCases {
        let limit = BetaLimit(c.instance, side)
        let allowance = betaSweepAllowances(limit)
        let sweep: [BetaSweepPoint]
        do { sweep = try betaSweep(c.instance, limit) } catch {
            f.check(side.rawValue, "the tool evaluates every beta of the sweep", "rejected: \(error)", false)
            continue
        }
        let pvarLabels = sweep.first?.evaluation.pvarLabels ?? .nan
        for pt in sweep {
            let label = "beta = \(fmt(pt.beta))"
            let e = pt.evaluation
            standardChecks(EdgeCaseRun(label: label, evaluation: e, certificate: certify(e.problem)), &f)
            f.check(label, "||grad/beta - lim|| <= its rate bound", "\(fmt(pt.gradientError)) vs \(fmt(pt.gradientErrorBound))",
                    pt.gradientError <= pt.gradientErrorBound + allowance.gradient)
            f.check(label, "0 <= lim - PVar_policy (scaled) <= its rate bound",
                    "\(fmt(pt.pvarPolicyError)) vs \(fmt(pt.pvarPolicyErrorBound))",
                    pt.pvarPolicyError >= -allowance.pvarPolicy && pt.pvarPolicyError <= pt.pvarPolicyErrorBound + allowance.pvarPolicy)
            f.check(label, "PVar_labels does not depend on beta and equals its closed form",
                    "\(fmt(e.pvarLabels)) vs \(fmt(limit.pvarLabels))",
                    e.pvarLabels == pvarLabels && agreesWithClosedForm(e.pvarLabels, limit.pvarLabels, terms: 0))
            for id in BoundID.allCases {
                f.check(label, "|ratio of \(id.rawValue) - lim| <= its rate bound",
                        "\(fmt(pt.ratioErrors[id]!)) vs \(fmt(pt.ratioErrorBounds[id]!))",
                        pt.ratioErrors[id]! <= pt.ratioErrorBounds[id]! + allowance.ratio[id]!)
            }
        }
        if let last = sweep.last {
            parts.append("\(side.rawValue), at beta = \(fmt(last.beta)): ||grad/beta - lim|| = \(fmt(last.gradientError)) "
                         + "(bound \(fmt(last.gradientErrorBound))), PVar_policy\(side == .zero ? "/beta^2" : "") = "
                         + "\(fmt(last.scaledPVarPolicy)) (lim \(fmt(limit.pvarPolicy))), B0-B3 ratios "
                         + BoundID.allCases.map { ratioText(last.evaluation.bound($0).ratio) }.joined(separator: ", ")
                         + " (lim " + BoundID.allCases.map { ratioText(limit.ratios[$0]!) }.joined(separator: ", ") + ")")
            briefs.append("\(side.rawValue): at beta = \(fmt(last.beta)), ||grad/beta - lim|| = \(fmt(last.gradientError)), "
                          + "lim - PVar_policy\(side == .zero ? "/beta^2" : "") = \(fmt(last.pvarPolicyError)), each within its rate bound "
                          + "at all 8 betas")
        }
    }
    parts.append("PVar_labels is the same double at all 16 betas")
    briefs.append("PVar_labels the same double at all 16 betas")
    return EdgeCaseOutcome(id: c.id, toolComputes: briefs.joined(separator: "; "), details: parts, checks: f.checks)
}
