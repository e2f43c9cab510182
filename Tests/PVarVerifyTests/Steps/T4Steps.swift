// T4: at the reference, ||grad L|| <= beta G min(1/2, PVar_labels^(1/3)), for any mu; sharp.
// Proofs/T4-b3-sharp-constant.md.
//
//   c_i = -mu_i m_i, grad L = -2 beta sum_i mu_i m_i s_i                         (step 1)
//   ||grad L|| <= 2 beta G E|m| = 4 beta G T, T = sum_{A x B} mu_i mu_j X_ij       (steps 2-3)
//   T <= a/2, T^2 <= a PVar / 2, so ||grad L|| <= beta G min(2a, 4 2^(-2/3) a^(2/3) PVar^(1/3))  (steps 4-6)
//   uniform two responses: ratio tanh(|g|/2)^(1/3) -> 1                          (step 7)

import Foundation
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// Relative slack of every comparison: the library's documented accuracy (1e-12 relative per
/// output) plus the rounding of the test's own sums of at most K^2 = 64 terms.
private let t4Slack = evaluationAccuracy + summationBound(terms: 64)

/// One instance exactly at the reference with its pair quantities.
private struct T4Instance {
    let e: Evaluation
    let table: PairTable
    let message: String
    /// `m_i = sum_j mu_j X_ij`.
    let m: [Double]
    /// `A = {i : m_i >= 0}`.
    let inA: [Bool]
    /// `a = mu(A) mu(B)`.
    let a: Double
    /// `T = sum_{i in A, j in B} mu_i mu_j X_ij`.
    let t: Double
    /// `sum_{i in A, j in B} mu_i mu_j X_ij^2`.
    let crossSquares: Double

    init(_ e: Evaluation, _ message: String) {
        self.e = e
        self.message = message
        let table = PairTable(e)
        self.table = table
        let k = e.problem.responseCount, mu = table.mu
        let m = (0..<k).map { i in (0..<k).reduce(0.0) { $0 + mu[$1] * table.centredQ(i, $1) } }
        self.m = m
        let inA = m.map { $0 >= 0 }
        self.inA = inA
        let muA = (0..<k).filter { inA[$0] }.reduce(0.0) { $0 + mu[$1] }
        a = muA * (1 - muA)
        var t = 0.0, squares = 0.0
        for i in 0..<k where inA[i] {
            for j in 0..<k where !inA[j] {
                let x = table.centredQ(i, j)
                t += mu[i] * mu[j] * x
                squares += mu[i] * mu[j] * x * x
            }
        }
        self.t = t
        crossSquares = squares
    }

    var beta: Double { e.problem.beta }
    var g: Double { e.scoreBound }
    /// `E_mu |m|`.
    var meanAbsM: Double { zip(table.mu, m).reduce(0) { $0 + $1.0 * abs($1.1) } }
}

@Suite("T4")
struct T4Tests {
    /// 240 instances exactly at the reference: K = 2..8, d = 1..4, random features and rewards,
    /// theta = 0 with equal reference entries (every log-ratio difference is an exact 0, so p = 1/2
    /// exactly), and a random pair distribution mu (Dirichlet, alpha 0.7).
    fileprivate static func forEachInstance(_ check: (T4Instance) -> Void) {
        for i in 0..<240 {
            let rng = RandomSource(seed: deriveSeed(runSeed, [stableLabel("T4"), UInt64(i)]))
            let k = rng.integer(2...8), d = rng.integer(1...4)
            let features = (0..<k).map { _ in (0..<d).map { _ in rng.gaussian(1) } }
            let rewards = (0..<k).map { _ in rng.gaussian(i % 3 == 0 ? 8 : 1.5) }
            let weights = rng.dirichlet(count: k, alpha: 0.7)
            let message = "T4 instance \(i), seed \(runSeed) (set PVAR_TEST_SEED to rerun)"
            do {
                let p = try Problem(beta: rng.logUniform(0.1, 10), features: features, theta: Array(repeating: 0, count: d),
                                    reference: Array(repeating: 1 / Double(k), count: k), rewards: rewards,
                                    pairs: .weights(weights))
                check(T4Instance(try Evaluation(p), message))
            } catch {
                Issue.record("\(message): rejected: \(error)")
            }
        }
    }

    @Test("T4 step 1: at the reference c_i = -mu_i m_i and grad L = -2 beta sum_i mu_i m_i s_i (p = 1/2 exactly)")
    func step1GradientIsTheLabelPart() {
        Self.forEachInstance { x in
            let k = x.e.problem.responseCount, mu = x.table.mu
            #expect(x.e.atReference && (0..<k).allSatisfy { i in (0..<k).allSatisfy { x.table.centredP(i, $0) == 0 } }, "\(x.message)")
            for i in 0..<k {
                let scale = mu[i] * (0..<k).reduce(0.0) { $0 + mu[$1] * abs(x.table.centredQ(i, $1)) }
                #expect(abs(x.e.residual[i] + mu[i] * x.m[i]) <= t4Slack * scale + 1e-300, "c_\(i): \(x.message)")
            }
            let d = x.e.problem.dimension
            for c in 0..<d {
                let formula = -2 * x.beta * (0..<k).reduce(0.0) { $0 + mu[$1] * x.m[$1] * x.table.score($1)[c] }
                let scale = 2 * x.beta * (0..<k).reduce(0.0) { $0 + mu[$1] * abs(x.m[$1]) * x.e.scoreBound }
                #expect(abs(x.e.gradient[c] - formula) <= t4Slack * scale + 1e-300, "coordinate \(c): \(x.e.gradient[c]) vs \(formula); \(x.message)")
            }
        }
    }

    @Test("T4 step 2: ||grad L|| <= 2 beta G E_mu|m|")
    func step2TriangleInequality() {
        Self.forEachInstance { x in
            #expect(x.e.gradientNorm <= 2 * x.beta * x.g * x.meanAbsM * (1 + t4Slack), "\(x.message)")
        }
    }

    @Test("T4 step 3: sum_i mu_i m_i = 0, E|m| = 2 T, so ||grad L|| <= 4 beta G T")
    func step3AntisymmetryGivesT() {
        Self.forEachInstance { x in
            let scale = x.meanAbsM
            let mean = zip(x.table.mu, x.m).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(mean) <= t4Slack * scale + 1e-300, "sum mu m = \(mean); \(x.message)")
            #expect(abs(x.meanAbsM - 2 * x.t) <= t4Slack * scale + 1e-300, "E|m| \(x.meanAbsM) vs 2T \(2 * x.t); \(x.message)")
            #expect(x.e.gradientNorm <= 4 * x.beta * x.g * x.t * (1 + t4Slack) + 1e-300, "\(x.message)")
        }
    }

    @Test("T4 step 4: |X| < 1/2 gives T <= a/2, so ||grad L|| <= 2 a beta G <= beta G / 2")
    func step4PlainBound() {
        Self.forEachInstance { x in
            #expect(x.t <= x.a / 2 * (1 + t4Slack), "T \(x.t) vs a/2 \(x.a / 2); \(x.message)")
            #expect(x.a <= 0.25, "\(x.message)")
            #expect(x.e.gradientNorm <= 2 * x.a * x.beta * x.g * (1 + t4Slack) + 1e-300, "\(x.message)")
            #expect(x.e.gradientNorm <= x.beta * x.g / 2, "\(x.message)")
        }
    }

    @Test("T4 step 5: T^2 <= a sum_{A x B} mu_i mu_j X_ij^2 <= a PVar_labels / 2 (Cauchy-Schwarz)")
    func step5CauchySchwarz() {
        Self.forEachInstance { x in
            #expect(x.t * x.t <= x.a * x.crossSquares * (1 + t4Slack) + 1e-300, "\(x.message)")
            #expect(x.crossSquares <= x.e.pvarLabels / 2 * (1 + t4Slack) + 1e-300, "\(x.message)")
        }
    }

    @Test("T4 step 6: ||grad L|| <= 4 2^(-2/3) a^(2/3) beta G PVar^(1/3) <= beta G PVar_labels^(1/3)")
    func step6SharpConstantOne() {
        var tightest = 0.0
        Self.forEachInstance { x in
            let cube = x.e.claimRoot(.pvarLabels, degree: 3)
            let refined = 4 * pow(2, -2.0 / 3) * pow(x.a, 2.0 / 3) * x.beta * x.g * cube
            #expect(x.e.gradientNorm <= refined * (1 + t4Slack) + 1e-300, "\(x.message)")
            #expect(refined <= x.beta * x.g * cube * (1 + t4Slack) + 1e-300, "\(x.message)")
            if x.beta * x.g * cube > 0 { tightest = max(tightest, x.e.gradientNorm / (x.beta * x.g * cube)) }
        }
        #expect(tightest > 0 && tightest < 1, "the best ratio over the instances is \(tightest)")
    }

    @Test("T4 step 7: two equally likely responses, gap g: ratio tanh(|g|/2)^(1/3) to beta G PVar^(1/3), |tanh(g/2)| to beta G / 2, both -> 1")
    func step7Sharpness() throws {
        var previous = 0.0
        for exponent in stride(from: -3.0, through: 1.5, by: 0.25) {
            let gap = pow(10, exponent)
            let e = try Evaluation(twoResponsesAtReference(first: 0.5, rewardGap: gap, beta: 0.8))
            let cube = e.claimRoot(.pvarLabels, degree: 3)
            let ratio = e.gradientNorm / (e.problem.beta * e.scoreBound * cube)
            let expected = cbrt(tanh(gap / 2))
            #expect(abs(ratio - expected) <= 4 * evaluationAccuracy * expected, "gap \(gap): \(ratio) vs \(expected)")
            #expect(abs(e.gradientNorm / (e.problem.beta * e.scoreBound / 2) - tanh(gap / 2)) <= 4 * evaluationAccuracy, "gap \(gap)")
            #expect(ratio > previous && ratio < 1, "gap \(gap): increasing, below 1")
            previous = ratio
        }
        #expect(previous > 0.99, "at gap 10^1.5 the ratio is \(previous)")
    }
}
