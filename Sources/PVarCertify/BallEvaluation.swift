// Every quantity of one instance, re-evaluated in ball arithmetic at one precision.

import PVarCore

/// The exact quantities of Proofs/setting.md for one `Problem`, each enclosed in a ball at one working
/// precision, computed *directly from their definitions* (no cancellation-avoiding rewrites:
/// ball arithmetic accounts for every rounding, and a wide ball is cured by more bits).
///
/// The input doubles are taken as exact rationals; everything downstream is an enclosure of
/// the exact real value for those rationals:
/// - logits `z = Phi theta` exactly (`Ball.exactDot`), so `z_i - z_j` is an exact 0 whenever
///   two logits are equal;
/// - `pi = softmax(z)`: `exp(z_y - z_top) / sum_k exp(z_k - z_top)`, `z_top` the largest logit
///   (the shift is exact and keeps every exponential in `(0, 1]`);
/// - implicit-reward differences `a_ij = beta [(z_i - z_j) - log(ref_i / ref_j)]`; the quotient
///   of two equal doubles is an exact 1 and its log an exact 0. By Lindemann–Weierstrass,
///   `log(ref_i / ref_j)` is irrational unless the quotient is 1, so `a_ij = 0` exactly (as a real
///   number) iff `z_i = z_j` and `ref_i = ref_j`, and then the ball is the exact 0 as well;
/// - centred preferences `p_ij - 1/2 = tanh(a_ij / 2) / 2`, `q_ij - 1/2 = tanh((r_i - r_j) / 2) / 2`
///   (`tanh(0) = 0` exactly, so at the reference `PVar_policy` is the exact ball 0);
/// - pair sums over all ordered pairs `(i, j)`, `mu` as a ball vector (pi, or the reference or
///   the weights divided by their exact sum);
/// - `grad L = beta sum_ij mu_i mu_j (p_ij - q_ij)(phi_i - phi_j)` (the definition, with
///   `s_i - s_j = phi_i - phi_j`); `||grad L|| = sqrt(sum_c grad_c^2)`;
/// - `PVar_policy = sum_ij pi_i pi_j (p_ij - 1/2)^2`, `PVar_labels = sum_ij mu_i mu_j (q_ij - 1/2)^2`,
///   `delta^2 = sum_ij mu_i mu_j (p_ij - q_ij)^2`;
/// - `D^2 = sum_ij mu_i mu_j ||phi_i - phi_j||^2`; `s_y = Phi^T (e_y - pi) = sum_k pi_k (phi_y - phi_k)`
///   (an identity, as `sum_k pi_k = 1` exactly for the exact pi); `G = max_y ||s_y||` (`arb_max`).
///
/// Square roots of sums of squares use `arb_sqrtpos`, roots `arb_root_ui` of the nonnegative
/// part: the quantities are >= 0 by definition, so discarding the negative part of a ball that
/// straddles 0 is rigorous.
///
/// Cost: O(K^2 d) ball operations (the gradient, D and the scores each visit every pair and
/// coordinate) plus 3 K^2 transcendental functions; K = 64, d = 16 at 128 bits takes a few tens
/// of milliseconds.
struct BallEvaluation {
    let precision: Int
    /// The balls it was built from.
    let pairs: BallPairs
    let beta: Ball
    /// `||grad L||`.
    let gradientNorm: Ball
    /// `PVar_theta = E_{i,j~pi}[(p - 1/2)^2]`.
    let pvarPolicy: Ball
    /// `PVar_q = E_{i,j~mu}[(q - 1/2)^2]`.
    let pvarLabels: Ball
    /// `delta = sqrt(E_{i,j~mu}[(p - q)^2])`.
    let disagreement: Ball
    /// `D = sqrt(E_{i,j~mu} ||phi_i - phi_j||^2)`.
    let scoreSpread: Ball
    /// `G = max_y ||s_y||`.
    let scoreBound: Ball
    /// `tr F = sum_y pi_y ||s_y||^2`.
    let fisherTrace: Ball

    init(_ problem: Problem, precision: Int) {
        self.init(BallPairs(problem, precision: precision))
    }

    /// The quantities from balls already built (shared with `BallNoise` by claims).
    init(_ pairs: BallPairs) {
        let precision = pairs.beta.precision
        self.precision = precision
        self.pairs = pairs
        let k = pairs.pi.count
        func exact(_ x: Double) -> Ball { Ball(exactly: x, precision: precision) }
        func zero() -> Ball { Ball(precision: precision) }
        func sum(_ terms: [Ball]) -> Ball {
            let total = zero()
            for t in terms { total.add(t) }
            return total
        }

        let beta = pairs.beta, phi = pairs.phi, d = pairs.dimension, pi = pairs.pi, mu = pairs.mu
        let cp = pairs.centredP, cq = pairs.centredQ
        self.beta = beta

        // Pair sums and the gradient, straight from the definitions.
        let pvarPolicy = zero()
        let pvarLabels = zero()
        let squaredDisagreement = zero()
        let squaredSpread = zero()
        let gradient = (0..<d).map { _ in zero() }
        for i in 0..<k {
            for j in 0..<k {
                let wPolicy = pi[i] * pi[j]
                let wPairs = mu[i] * mu[j]
                let residual = cp[i][j] - cq[i][j]   // p_ij - q_ij
                pvarPolicy.addProduct(wPolicy, cp[i][j].squared)
                pvarLabels.addProduct(wPairs, cq[i][j].squared)
                squaredDisagreement.addProduct(wPairs, residual.squared)
                let weightedResidual = wPairs * residual
                let distance = zero()
                for c in 0..<d {
                    let difference = phi[i][c] - phi[j][c]
                    gradient[c].addProduct(weightedResidual, difference)
                    distance.add(difference.squared)
                }
                squaredSpread.addProduct(wPairs, distance)
            }
        }
        let gradientSquared = zero()
        for g in gradient { gradientSquared.add((beta * g).squared) }

        // Scores s_y = sum_k pi_k (phi_y - phi_k), G = max_y ||s_y|| and tr F = sum_y pi_y ||s_y||^2.
        var scoreBound = zero()
        let fisherTrace = zero()
        for y in 0..<k {
            let squaredNorm = zero()
            for c in 0..<d {
                let s = zero()
                for m in 0..<k where m != y { s.addProduct(pi[m], phi[y][c] - phi[m][c]) }
                squaredNorm.add(s.squared)
            }
            scoreBound = Ball.maximum(scoreBound, squaredNorm.squareRootOfNonnegative())
            fisherTrace.addProduct(pi[y], squaredNorm)
        }

        self.gradientNorm = gradientSquared.squareRootOfNonnegative()
        self.pvarPolicy = pvarPolicy
        self.pvarLabels = pvarLabels
        self.disagreement = squaredDisagreement.squareRootOfNonnegative()
        self.scoreSpread = squaredSpread.squareRootOfNonnegative()
        self.scoreBound = scoreBound
        self.fisherTrace = fisherTrace
    }

    /// The value of a statement's bound: its claim's larger side (`Statement.rightHandSide`)
    /// evaluated in `ClaimBalls` over this evaluation, the path a user's claim takes.
    func boundValue(_ statement: Statement) -> Ball { statement.rightHandSide(in: ClaimBalls(self)).ball }

    func boundValue(_ id: BoundID) -> Ball { boundValue(id.definition) }
}

/// The balls every certificate starts from, built once from a `Problem` (inputs taken as exact
/// rationals): the feature (or score) rows `phi`, the exact logits `z` (`Phi theta`, or the given
/// log-probabilities of the exported form), `pi = softmax(z)`, the pair distribution `mu` and the
/// centred preferences `p - 1/2 = tanh(a/2)/2` with `a = beta [(z_i - z_j) - log(ref_i / ref_j)]`
/// (an exact 0 where the real number is 0) and `q - 1/2 = tanh((r_i - r_j)/2)/2`, for every
/// ordered pair. Shared by `BallEvaluation` and `BallNoise`, so both certify the same instance.
struct BallPairs {
    /// The instance, its doubles taken as exact rationals.
    let problem: Problem
    let beta: Ball
    let phi: [[Ball]]
    let dimension: Int
    let pi: [Ball]
    let mu: [Ball]
    /// `p(i, j) - 1/2` and `q(i, j) - 1/2`.
    let centredP: [[Ball]]
    let centredQ: [[Ball]]
    /// The implicit-reward differences `a(i, j) = beta [(z_i - z_j) - log(ref_i / ref_j)]` (an
    /// exact 0 where the real number is 0).
    let rewardGaps: [[Ball]]

    init(_ problem: Problem, precision: Int) {
        self.problem = problem
        let k = problem.responseCount
        func exact(_ x: Double) -> Ball { Ball(exactly: x, precision: precision) }
        func zero() -> Ball { Ball(precision: precision) }
        func sum(_ terms: [Ball]) -> Ball {
            let total = zero()
            for t in terms { total.add(t) }
            return total
        }

        let beta = exact(problem.beta)

        // Phi as exact balls (tabular: the identity), and the exact logits z = Phi theta.
        let rows: [[Double]] = problem.features
            ?? (0..<k).map { i in (0..<k).map { j in i == j ? 1.0 : 0.0 } }
        let phi = rows.map { $0.map(exact) }
        let d = rows.first?.count ?? 0
        // Exported form (log-probabilities and scores): the logits are the given log-probabilities,
        // the scores play the feature rows' role.
        let z = problem.logProbabilities.map { $0.map(exact) }
            ?? rows.map { Ball.exactDot($0, problem.theta, precision: precision) }

        // pi = softmax(z), shifted by the largest logit.
        var top = 0
        for y in 0..<k where Ball.compareExact(z[y], z[top]) > 0 { top = y }
        let shifted = z.map { ($0 - z[top]).exp() }
        let normaliser = sum(shifted)
        let pi = shifted.map { $0 / normaliser }

        // mu: the pair distribution, normalised by its exact sum where given as numbers.
        func normalised(_ v: [Double]) -> [Ball] {
            let balls = v.map(exact)
            let total = sum(balls)
            return balls.map { $0 / total }
        }
        let mu: [Ball]
        switch problem.pairs {
        case .policy: mu = pi
        case .reference: mu = normalised(problem.reference)
        case .weights(let w): mu = normalised(w)
        }

        // Centred preferences of every ordered pair: cp = p - 1/2, cq = q - 1/2.
        let reference = problem.reference.map(exact)
        let rewards = problem.rewards.map(exact)
        var cp = [[Ball]]()
        var cq = [[Ball]]()
        var gaps = [[Ball]]()
        for i in 0..<k {
            var cpRow = [Ball]()
            var cqRow = [Ball]()
            var gapRow = [Ball]()
            for j in 0..<k {
                let logRatio = (reference[i] / reference[j]).log()
                let a = beta * ((z[i] - z[j]) - logRatio)
                gapRow.append(a)
                cpRow.append(a.timesPowerOfTwo(-1).tanh().timesPowerOfTwo(-1))
                cqRow.append((rewards[i] - rewards[j]).timesPowerOfTwo(-1).tanh().timesPowerOfTwo(-1))
            }
            cp.append(cpRow)
            cq.append(cqRow)
            gaps.append(gapRow)
        }

        self.beta = beta
        self.phi = phi
        self.dimension = d
        self.pi = pi
        self.mu = mu
        self.centredP = cp
        self.centredQ = cq
        self.rewardGaps = gaps
    }
}
