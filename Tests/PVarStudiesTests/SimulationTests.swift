// The selection experiment in a synthetic world (issue 7, section 1): determinism, the exact
// held-out metrics against a brute-force computation, the training gradient against finite
// differences, descent of the training loss, and the confidence intervals.
//
// Everything runs on tiny worlds (a few prompts, K = 3, d = 2) so the suite takes well under a second
// of the test budget; `Reports/selection.md` runs the same functions at the default settings.

import Foundation
import PVarCore
import PVarGSL
import PVarSelect
import PVarStudies
import PVarTestSupport
import Testing

@Suite("Simulation")
struct SimulationTests {
    /// The one-line replay of this suite.
    static let replay = "seed \(runSeed); replay: PVAR_TEST_SEED=\(runSeed) swift test --filter SimulationTests"

    /// A tiny world: every strategy selects at least one prompt and the whole experiment runs in
    /// milliseconds.
    static var tiny: SimulationConfiguration {
        var c = SimulationConfiguration()
        c.prompts = 20
        c.heldOutPrompts = 12
        c.responses = 3
        c.dimension = 2
        c.sampleSize = 3
        c.seeds = 3
        c.steps = 5
        c.learningRate = 20
        c.noiseLevels = [0, 1]
        return c
    }

    /// Held-out metrics and brute force sum the same K (or K^2) terms in different orders and
    /// compute the softmax differently (shifted exponentials vs `Evaluation`'s anchored
    /// log-probabilities): a few ulps per term, far below this.
    static let metricTolerance = 1e-12

    // MARK: Determinism

    @Test("the same run seed gives identical results, with 1 or 2 threads; another seed does not")
    func deterministicForAnyThreadCount() async throws {
        let one = try await runSimulation(Self.tiny, runSeed: runSeed, threads: 1)
        let two = try await runSimulation(Self.tiny, runSeed: runSeed, threads: 2)
        let again = try await runSimulation(Self.tiny, runSeed: runSeed, threads: 2)
        #expect(one == two, "1 vs 2 threads differ; \(Self.replay)")
        #expect(two == again, "two runs with the same seed differ; \(Self.replay)")
        let other = try await runSimulation(Self.tiny, runSeed: runSeed &+ 1, threads: 2)
        #expect(other != one, "a different run seed gave the same result: the seed is not used; \(Self.replay)")
        #expect(one.outcomes.count == Self.tiny.seeds * Self.tiny.noiseLevels.count)
    }

    @Test("a world is reproducible from its seed, and its components use separate streams")
    func worldIsReproducible() {
        var c = Self.tiny
        let a = SimulationWorld(c, runSeed: runSeed, seedIndex: 1)
        let b = SimulationWorld(c, runSeed: runSeed, seedIndex: 1)
        #expect(a.training == b.training && a.heldOut == b.heldOut && a.pvarSamples == b.pvarSamples
                && a.randomOrder == b.randomOrder && a.rewardModelErrors == b.rewardModelErrors)
        // More held-out prompts leave the training prompts, errors, samples and order unchanged.
        c.heldOutPrompts = 30
        let more = SimulationWorld(c, runSeed: runSeed, seedIndex: 1)
        #expect(more.training == a.training && more.rewardModelErrors == a.rewardModelErrors
                && more.pvarSamples == a.pvarSamples && more.randomOrder == a.randomOrder)
        #expect(Array(more.heldOut.prefix(a.heldOut.count)) == a.heldOut)
        #expect(a.randomOrder.sorted() == Array(0..<c.prompts), "random order is not a permutation")
        #expect(abs(euclideanNorm(a.trueWeights) - 1) <= 1e-15, "w* is not a unit vector: \(a.trueWeights)")
    }

    // MARK: Exact held-out evaluation

    /// Brute force, independent of `HeldOutEvaluator`: the policy from `Evaluation` and the win
    /// rate as the explicit double sum over (y, y') with the indicator and ties at 1/2.
    static func bruteForce(_ prompts: [SimulationPrompt], theta: [Double], k: Int) throws -> (reward: Double, win: Double) {
        let reference = [Double](repeating: 1 / Double(k), count: k)
        var reward = 0.0, win = 0.0
        for p in prompts {
            let pi = try Evaluation(Problem(beta: 1, features: p.features, theta: theta, reference: reference,
                                            rewards: p.trueRewards)).policy
            for y in 0..<k {
                reward += pi[y] * p.trueRewards[y]
                for z in 0..<k {
                    let indicator = p.trueRewards[y] > p.trueRewards[z] ? 1.0 : p.trueRewards[y] == p.trueRewards[z] ? 0.5 : 0.0
                    win += pi[y] * reference[z] * indicator
                }
            }
        }
        return (reward / Double(prompts.count), win / Double(prompts.count))
    }

    @Test("expected true reward and win rate equal a brute-force double sum, ties counting 1/2")
    func heldOutMetricsMatchBruteForce() throws {
        let c = Self.tiny
        let world = SimulationWorld(c, runSeed: runSeed, seedIndex: 0)
        // A pinned prompt with tied true rewards (responses 0 and 2), so the 1/2 for ties is exercised.
        let tied = SimulationPrompt(features: [[0.3, -1.2], [1.1, 0.4], [-0.7, 0.9]], trueRewards: [0.5, -0.25, 0.5])
        let prompts = world.heldOut + [tied]
        let evaluator = HeldOutEvaluator(prompts, reference: c.reference)
        let rng = RandomSource(seed: deriveSeed(runSeed, [stableLabel("simulation-test-thetas")]))
        for trial in 0..<20 {
            let scale = [0.0, 0.5, 3, 30][trial % 4]
            let theta = (0..<c.dimension).map { _ in scale * rng.gaussian() }
            let fast = evaluator.metrics(theta)
            let slow = try Self.bruteForce(prompts, theta: theta, k: c.responses)
            #expect(relativeError(fast.expectedReward, slow.reward) <= Self.metricTolerance,
                    "theta \(theta): reward \(fast.expectedReward) vs brute force \(slow.reward); \(Self.replay)")
            #expect(relativeError(fast.winRate, slow.win) <= Self.metricTolerance,
                    "theta \(theta): win rate \(fast.winRate) vs brute force \(slow.win); \(Self.replay)")
        }
        // At the reference the win rate is 1/2 on every prompt: the indicator plus its mirror is 1.
        let atStart = evaluator.metrics([Double](repeating: 0, count: c.dimension))
        #expect(abs(atStart.winRate - 0.5) <= Self.metricTolerance, "win rate at the reference \(atStart.winRate)")
        // A policy concentrated on response 0 of the ties prompt wins 1/3 (beats response 1) plus
        // 1/3 * 1/2 (ties with 2) plus 1/3 * 1/2 (ties with itself) = 2/3.
        let peaked = HeldOutEvaluator([SimulationPrompt(features: [[1, 0], [0, 0], [0, 0]], trueRewards: tied.trueRewards)],
                                      reference: c.reference).metrics([800, 0])
        #expect(abs(peaked.winRate - 2.0 / 3.0) <= Self.metricTolerance && abs(peaked.expectedReward - 0.5) <= Self.metricTolerance,
                "policy on one response: win rate \(peaked.winRate) (expected 2/3), reward \(peaked.expectedReward)")
    }

    // MARK: The training gradient

    /// A small training objective: `count` prompts of a tiny world labelled by the reward model
    /// with noise 1.
    static func objective(count: Int) -> TrainingObjective {
        let c = tiny
        let world = SimulationWorld(c, runSeed: runSeed, seedIndex: 2)
        return TrainingObjective(c, prompts: Array(world.training.prefix(count)),
                                 labels: (0..<count).map { world.rewardModelScores(prompt: $0, noise: 1) })
    }

    @Test("the gradient used in training equals the finite-difference derivative of the mean loss")
    func gradientIsTheDerivativeOfTheMeanLoss() throws {
        let objective = Self.objective(count: 5)
        let rng = RandomSource(seed: deriveSeed(runSeed, [stableLabel("simulation-test-gradient")]))
        for _ in 0..<6 {
            let theta = (0..<objective.configuration.dimension).map { _ in 5 * rng.gaussian() }
            let (_, gradient) = try objective.lossAndGradient(theta)
            for j in theta.indices {
                let derivative = try #require(centralDerivative(at: theta[j], step: 1e-2) { t in
                    var moved = theta
                    moved[j] = t
                    return (try? objective.loss(moved)) ?? .nan
                })
                // GSL's own error estimate (rounding plus truncation of the 5-point rule), doubled
                // because it is an estimate, plus the rounding of the loss itself (about 1e-16
                // relative on losses of order 1, divided by the step: 1e-14) with a margin.
                let tolerance = 2 * derivative.errorEstimate + 1e-12
                #expect(abs(derivative.value - gradient[j]) <= tolerance,
                        "theta \(theta), coordinate \(j): gradient \(gradient[j]) vs finite difference \(derivative.value) (GSL error estimate \(derivative.errorEstimate)); \(Self.replay)")
            }
        }
    }

    @Test("gradient descent with step 1/L decreases the training loss at every step, from log 2")
    func trainingDecreasesTheLoss() throws {
        var objective = Self.objective(count: 6)
        var c = objective.configuration
        // Smoothness: each ordered pair's loss has second derivative sigma(a) sigma(-a) <= 1/4 in
        // a = h_i - h_j = beta theta . (phi_i - phi_j), so the mean loss's Hessian is at most
        // L = (beta^2 / 4) mean_x sum_{i,j} mu_i mu_j ||phi_i - phi_j||^2; a step of 1/L < 2/L
        // decreases it (descent lemma).
        var smoothness = 0.0
        for p in objective.prompts {
            for a in p.features {
                for b in p.features {
                    let d = zip(a, b).map { $0 - $1 }
                    smoothness += d.reduce(0) { $0 + $1 * $1 } / Double(c.responses * c.responses)
                }
            }
        }
        smoothness *= c.beta * c.beta / 4 / Double(objective.prompts.count)
        c.learningRate = 1 / smoothness
        c.steps = 40
        objective = TrainingObjective(c, prompts: objective.prompts, labels: objective.labels)
        let evaluator = HeldOutEvaluator(SimulationWorld(c, runSeed: runSeed, seedIndex: 2).heldOut, reference: c.reference)
        let run = try train(objective, strategy: .full, heldOut: evaluator, selectedTruePVar: 0)
        #expect(run.trainingLoss.count == c.steps + 1 && run.heldOutReward.count == c.steps + 1)
        #expect(abs(run.trainingLoss[0] - log(2.0)) <= 1e-15, "loss at theta = 0 is \(run.trainingLoss[0]), not log 2")
        // Rounding of a mean of a few O(1) losses: far below 1e-14.
        for t in 1...c.steps {
            #expect(run.trainingLoss[t] <= run.trainingLoss[t - 1] + 1e-14,
                    "step \(t): loss rose from \(run.trainingLoss[t - 1]) to \(run.trainingLoss[t]); \(Self.replay)")
        }
        #expect(run.trainingLoss[c.steps] < run.trainingLoss[0] - 1e-3,
                "40 steps decreased the loss only from \(run.trainingLoss[0]) to \(run.trainingLoss[c.steps])")
        #expect(run.initialGradientNorm > 0 && abs(run.heldOutWinRate[0] - 0.5) <= Self.metricTolerance)
        #expect(!run.unsettled, "a monotone descent was flagged as oscillating: \(run.trainingLoss.suffix(11))")
    }

    @Test("a theta whose logits overflow is reported as an error naming the learning rate, not a trap")
    func overflowIsAnError() {
        // Features near the double range: theta = (100, 100) makes the logits overflow, which is
        // where a far too large step size ends up.
        let c = Self.tiny
        let prompt = SimulationPrompt(features: [[1e307, 0], [0, 1e307], [0, 0]], trueRewards: [1, 0, 0])
        let objective = TrainingObjective(c, prompts: [prompt], labels: [[1, 0, 0]])
        do {
            _ = try objective.lossAndGradient([100, 100])
            Issue.record("logits of 1e309 were evaluated without an error")
        } catch {
            #expect(error.description.hasPrefix("learning-rate:"), "message: \(error.description)")
        }
    }

    // MARK: Selection

    @Test("strategies select the stated counts; top and bottom are the extremes, ties to the smaller index")
    func selectionCountsAndTies() {
        let m = 1000
        #expect(SelectionStrategy.allCases.map { $0.selectedCount(of: m) } == [100, 100, 100, 1000, 250, 500])
        #expect(SelectionStrategy.top10.selectedCount(of: 15) == 2)
        let values: [Double] = [0.3, 0.1, 0.3, 0.0, 0.2, 0.1, 0.0, 0.25, 0.05, 0.3]
        #expect(topIndices(values, 3) == [0, 2, 9])
        #expect(bottomIndices(values, 3) == [3, 6, 8])
        let estimates = (0..<m).map { Double(($0 * 7919) % m) }
        let order = Array((0..<m).reversed())
        let top = selectTrainingPrompts(.top10, estimates: estimates, randomOrder: order)
        let bottom = selectTrainingPrompts(.bottom10, estimates: estimates, randomOrder: order)
        #expect(top.allSatisfy { estimates[$0] >= 900 } && bottom.allSatisfy { estimates[$0] < 100 })
        #expect(selectTrainingPrompts(.random10, estimates: estimates, randomOrder: order) == Array(900..<1000))
        #expect(selectTrainingPrompts(.full, estimates: estimates, randomOrder: order) == Array(0..<m))
        // Spearman on hand-computed cases: one swap of four (1 - 6 * 2 / (4 * 15) = 0.8); a tie
        // shares its mean rank (ranks 1.5, 1.5, 3 against 1, 2, 3: 1.5 / sqrt(1.5 * 2) = sqrt(3) / 2).
        #expect(abs(spearman([1, 2, 3, 4], [1, 3, 2, 4]) - 0.8) <= 1e-15)
        #expect(abs(spearman([1, 1, 2], [1, 2, 3]) - 3.0.squareRoot() / 2) <= 1e-15)
        #expect(spearman([1, 1, 1], [1, 2, 3]) == 0)
    }

    @Test("invalid settings are errors that name the setting")
    func invalidSettingsNameTheSetting() {
        var c = Self.tiny
        c.prompts = 5
        #expect(throws: SimulationError.self) { try c.validate() }
        for (mutate, name) in [({ (c: inout SimulationConfiguration) in c.prompts = 5 }, "prompts:"),
                               ({ $0.seeds = 1 }, "seeds:"), ({ $0.steps = 0 }, "steps:"),
                               ({ $0.noiseLevels = [0, -1] }, "noise[1]:"), ({ $0.learningRate = .nan }, "learning-rate:"),
                               ({ $0.sampleSize = 1 }, "sample-size:")] {
            var bad = Self.tiny
            mutate(&bad)
            do {
                try bad.validate()
                Issue.record("\(name) accepted an invalid value")
            } catch {
                #expect(error.description.hasPrefix(name), "message '\(error.description)' does not start with \(name)")
            }
        }
    }

    // MARK: Confidence intervals

    /// The t quantile is bisected to the last bit of a closed-form CDF whose terms are accurate
    /// to a few ulps: 1e-14 relative is a generous bound on the difference to the exact value.
    static let quantileTolerance = 1e-14

    @Test("95% interval on known numbers: 1..5 gives 3 +- t(0.975, 4) sqrt(2.5) / sqrt(5)")
    func confidenceIntervalOnKnownNumbers() {
        let m = MeanInterval([1, 2, 3, 4, 5])
        // t(0.975, 4) = 2.7764451051977943578 (mpmath), times sqrt(2.5 / 5): 1.96324316147755769765.
        #expect(m.mean == 3 && m.count == 5)
        #expect(relativeError(m.standardDeviation, 2.5.squareRoot()) <= 1e-15)
        #expect(relativeError(m.halfWidth, 1.963243161477557697653) <= Self.quantileTolerance,
                "half-width \(m.halfWidth) vs 1.9632431614775577")
        #expect(m.lower == m.mean - m.halfWidth && m.upper == m.mean + m.halfWidth)
        // Constant values: zero width, not NaN; one value: infinite width, never a silent 0.
        #expect(MeanInterval([0.25, 0.25, 0.25]).halfWidth == 0)
        #expect(MeanInterval([1]).halfWidth == .infinity)
        // 20 seeds use t(0.975, 19): values 0, 1 alternating have s = sqrt(20 / 76).
        let twenty = MeanInterval((0..<20).map { Double($0 % 2) })
        let expected = studentT975At19DegreesOfFreedom * (20.0 / 76).squareRoot() / 20.0.squareRoot()
        #expect(relativeError(twenty.halfWidth, expected) <= Self.quantileTolerance, "\(twenty.halfWidth) vs \(expected)")
    }

    /// `P(0 <= T <= t)` by composite Simpson integration of the t density
    /// `Gamma((nu+1)/2) / (sqrt(nu pi) Gamma(nu/2)) (1 + x^2/nu)^(-(nu+1)/2)`: independent of the
    /// closed form the library uses. 20,000 intervals: the Simpson error (h^4 times the fourth
    /// derivative, bounded on [0, 13]) is below 1e-13.
    static func integratedHalfProbability(_ t: Double, nu: Int) -> Double {
        let v = Double(nu)
        let logNorm = lgamma((v + 1) / 2) - lgamma(v / 2) - 0.5 * log(v * Double.pi)
        func density(_ x: Double) -> Double { exp(logNorm - (v + 1) / 2 * log1p(x * x / v)) }
        let n = 20_000
        let h = t / Double(n)
        var s = density(0) + density(t)
        for i in 1..<n { s += (i % 2 == 1 ? 4 : 2) * density(Double(i) * h) }
        return s * h / 3
    }

    @Test("the t quantile equals a numerical inverse of the integrated t density and the pinned t(0.975, 19)")
    func studentQuantileMatchesIntegration() {
        for nu in [1, 2, 3, 4, 5, 9, 19, 30] {
            // Bisection on the integrated probability: P(0 <= T <= t) = 0.475.
            var lo = 0.0, hi = 20.0
            for _ in 0..<60 {
                let mid = (lo + hi) / 2
                if Self.integratedHalfProbability(mid, nu: nu) < 0.475 { lo = mid } else { hi = mid }
            }
            let numerical = (lo + hi) / 2
            let library = studentTQuantile(0.975, degreesOfFreedom: nu)
            // Integration error 1e-13 in probability, over a density of at least 0.005 at the quantile.
            #expect(abs(library - numerical) <= 1e-9 * numerical, "nu = \(nu): library \(library) vs integrated \(numerical)")
        }
        #expect(relativeError(studentTQuantile(0.975, degreesOfFreedom: 19), studentT975At19DegreesOfFreedom) <= Self.quantileTolerance,
                "t(0.975, 19) = \(studentTQuantile(0.975, degreesOfFreedom: 19)) vs pinned \(studentT975At19DegreesOfFreedom)")
        // Closed forms: nu = 1 (Cauchy) tan(0.475 pi); nu = 2: (2p - 1) sqrt(2 / (4 p (1 - p))).
        #expect(relativeError(studentTQuantile(0.975, degreesOfFreedom: 1), 12.706204736174704646) <= Self.quantileTolerance)
        #expect(relativeError(studentTQuantile(0.975, degreesOfFreedom: 2), 4.3026527297494638523) <= Self.quantileTolerance)
        // Large nu tends to the normal quantile 1.959963984540054.
        #expect(abs(studentTQuantile(0.975, degreesOfFreedom: 100_000) - 1.959963984540054) <= 1e-4)
    }

    // MARK: The experiment's bookkeeping

    @Test("claim comparisons are the paired differences of the per-seed results")
    func claimComparisonsArePaired() async throws {
        let r = try await runSimulation(Self.tiny, runSeed: runSeed, threads: 2)
        let claims = r.claimComparisons()
        #expect(claims.count == Self.tiny.noiseLevels.count * 3 * SimulationMetric.allCases.count)
        for k in claims {
            let n = Self.tiny.noiseLevels.firstIndex(of: k.noise)!
            let a = r.values(noiseIndex: n, k.better, k.metric), b = r.values(noiseIndex: n, k.worse, k.metric)
            let direct = MeanInterval(zip(a, b).map { $0 - $1 })
            #expect(k.difference == direct)
            #expect(k.verdict == (direct.lower > 0 ? .supported : direct.upper < 0 ? .reversed : .unresolved))
        }
        // Every run starts at the reference: win rate 1/2, loss log 2, reward = the reference's.
        for o in r.outcomes {
            for run in o.runs {
                #expect(abs(run.heldOutWinRate[0] - 0.5) <= Self.metricTolerance)
                #expect(abs(run.trainingLoss[0] - log(2.0)) <= 1e-15)
                #expect(run.heldOutReward[0] == o.referenceReward)
                #expect(run.heldOutReward.allSatisfy { $0 <= o.bestResponseReward + Self.metricTolerance })
            }
            #expect((0...1).contains(o.topOverlap) && (-1...1).contains(o.rankCorrelation))
        }
    }
}
