// `pvar conjecture` in the library: known truths found, certified, shrunk and fitted; shrinking
// deterministic with every kept step certified; the search space inside the assumptions.

import Foundation
import PVarCertify
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

/// A small budget (a few seconds per conjecture in a debug build): 100 random instances and one
/// Nelder–Mead restart per shape over K in 2...3, d in 1...2.
func smallConjecture(fit: Bool = false, threads: Int? = nil, seed: UInt64 = runSeed) -> ConjectureOptions {
    var o = ConjectureOptions()
    o.instances = 100
    o.restarts = 1
    o.maxIterations = 1000
    o.seed = seed
    o.threads = threads
    o.fit = fit
    return o
}

let atReferenceOnPolicy = ConjectureAssumptions(atReference: true, pairs: .policy, responses: 2...3, dimension: 1...2)

func conjecture(_ text: String, _ a: ConjectureAssumptions = atReferenceOnPolicy,
                _ o: ConjectureOptions = smallConjecture()) async throws -> ConjectureResult {
    try await checkConjecture(try Claim.parse(text), assumptions: a, options: o)
}

/// Every number of the instance (beta, theta, features, reference, rewards, pair weights).
func numbers(_ p: Problem) -> [Double] {
    var all = [p.beta] + p.theta + (p.features ?? []).flatMap { $0 } + p.reference + p.rewards
    if case .weights(let w) = p.pairs { all += w }
    return all
}

@Suite("Conjecture")
struct ConjectureTests {
    static let b2At13 = "gradientNorm <= 1.3 * beta * scoreBound * sqrt(pvarLabels)"
    static let c1Form = "gradientNorm <= 10 * beta * sqrt(pvarPolicy)"
    static let b2 = "gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)"

    @Test("B2 with constant 1.3 at the reference is certified violated and shrinks to two responses with short numbers; every kept step is certified violated")
    func b2WithSmallerConstantShrinks() async throws {
        let claim = try Claim.parse(Self.b2At13)
        let r = try await conjecture(Self.b2At13)
        #expect(r.verdict == .violated, "replay: \(r.replay)")
        let ce = try #require(r.counterexample)
        #expect(ce.responseCount == 2)
        #expect(numbers(ce).allSatisfy { InstanceFile.format($0).count <= 4 }, "numbers \(numbers(ce))")
        #expect(r.shrinkSteps == r.shrinkTrail.count && r.shrinkSteps > 0)
        #expect(r.shrinkTrail.last == ce)
        #expect(r.counterexampleCertificate?.verdict == .violated)
        for (i, p) in r.shrinkTrail.enumerated() {
            let e = try Evaluation(p)
            #expect(atReferenceOnPolicy.admits(e) && isExactlyAtReference(p), "step \(i) left the assumptions")
            #expect(certifyClaim(p, claim).verdict == .violated, "step \(i) not certified violated")
        }
        // Each step is simpler than the one before it.
        let sizes = ([r.violation!] + r.shrinkTrail).map(shrinkSize)
        for i in 1..<sizes.count { #expect(sizes[i].lexicographicallyPrecedes(sizes[i - 1])) }
    }

    @Test("shrinking is deterministic: two runs, and any thread count, give the same result")
    func shrinkingIsDeterministic() async throws {
        let a = try await conjecture(Self.b2At13, atReferenceOnPolicy, smallConjecture(threads: 1))
        let b = try await conjecture(Self.b2At13, atReferenceOnPolicy, smallConjecture(threads: 2))
        let c = try await conjecture(Self.b2At13, atReferenceOnPolicy, smallConjecture(threads: 2))
        for other in [b, c] {
            #expect(other.shrinkTrail == a.shrinkTrail)
            #expect(other.counterexample == a.counterexample)
            #expect(other.witness == a.witness)
            #expect(other.bestRatio == a.bestRatio)
            #expect(other.instancesChecked == a.instancesChecked)
        }
    }

    @Test("the C1 form gradientNorm <= 10 beta sqrt(pvarPolicy) at the reference is violated and shrinks to a two-response tabular instance")
    func c1FormShrinksToTabular() async throws {
        let a = ConjectureAssumptions(atReference: true, pairs: .any, responses: 2...3, dimension: 1...2)
        let r = try await conjecture(Self.c1Form, a)
        #expect(r.verdict == .violated, "replay: \(r.replay)")
        let ce = try #require(r.counterexample)
        #expect(ce.responseCount == 2 && ce.isTabular, "\(InstanceFile.encode(ce))")
        #expect(ce.pairs == .policy && ce.beta == 1 && ce.reference == [0.5, 0.5] && ce.theta == [0, 0])
        #expect(r.counterexampleCertificate?.verdict == .violated)
    }

    @Test("B2 as stated is not refuted at the reference")
    func b2IsNotRefuted() async throws {
        let r = try await conjecture(Self.b2)
        #expect(r.verdict == .notRefuted, "replay: \(r.replay)")
        #expect(r.counterexample == nil && r.shrinkSteps == 0)
        #expect(r.certified?.verdict != .violated)
        #expect(r.bestRatio > 1 - 1e-9, "K = 2 at a uniform reference attains B2")
    }

    @Test("--fit C on B2 brackets sqrt(2): certified lower bound within 1e-6 below it, supremum found at most sqrt(2) + 1e-9")
    func fitBracketsSqrt2() async throws {
        let r = try await conjecture("gradientNorm <= C * beta * scoreBound * sqrt(pvarLabels)", atReferenceOnPolicy, smallConjecture(fit: true))
        let c = try #require(r.constant)
        let root2 = 2.0.squareRoot()
        #expect(c.certifiedLowerBound <= root2 && c.certifiedLowerBound >= root2 - 1e-6, "lower bound \(c.certifiedLowerBound)")
        #expect(c.supremumFound <= root2 + 1e-9 && c.supremumFound >= c.certifiedLowerBound, "supremum \(c.supremumFound)")
        #expect(r.verdict == .notRefuted)
    }

    @Test("--fit needs C as a factor of the larger side; C without --fit is refused")
    func fitFormIsChecked() throws {
        for ok in ["gradientNorm <= C * beta * scoreBound", "gradientNorm <= beta * C", "C * beta * sqrt(pvarLabels) >= gradientNorm",
                   "gradientNorm < (C * beta) / 2"] {
            #expect(throws: Never.self, "\(ok)") { try checkFitForm(try Claim.parse(ok)) }
        }
        for bad in ["gradientNorm <= C + beta", "gradientNorm <= beta / C", "C * gradientNorm <= beta", "gradientNorm <= sqrt(C) * beta",
                    "gradientNorm <= beta", "gradientNorm <= C * C * beta"] {
            #expect(throws: ConjectureError.self, "\(bad)") { try checkFitForm(try Claim.parse(bad)) }
        }
    }

    @Test("a claim with C and no --fit is an error")
    func freeConstantNeedsFit() async throws {
        let claim = try Claim.parse("gradientNorm <= C * beta")
        await #expect(throws: ConjectureError.self) {
            try await checkConjecture(claim, assumptions: atReferenceOnPolicy, options: smallConjecture())
        }
    }

    @Test("every point of the search space satisfies its assumptions (exactly at the reference where assumed)")
    func searchSpaceStaysInsideTheAssumptions() throws {
        let rng = RandomSource(seed: runSeed)
        for atReference in [false, true] {
            for pairs in ConjecturePairs.allCases {
                for form in ["log-linear", "tabular", "sequence"] {
                    let a = ConjectureAssumptions(atReference: atReference, pairs: pairs, responses: 2...4, dimension: 1...3, tabular: form == "tabular",
                                                  sequence: form == "sequence" ? ConjectureSequence(vocabulary: 2, length: 2) : nil)
                    for shape in conjectureShapes(a) {
                        let space = ConjectureSearchSpace(assumptions: a, responses: shape.responses, dimension: shape.dimension)
                        for _ in 0..<5 {
                            let x = (0..<space.count).map { _ in rng.gaussian(3) }
                            let p = try #require(space.problem(x))
                            #expect(a.admits(try Evaluation(p)), "\(a.text), K = \(shape.responses): \(InstanceFile.encode(p))")
                            #expect(p.responseCount == shape.responses && (form == "tabular") == p.isTabular && (form == "sequence") == p.isExported)
                            if atReference { #expect(isExactlyAtReference(p)) }
                        }
                    }
                    // The random instances too.
                    let g = InstanceGenerator(runSeed: runSeed, limits: GeneratorLimits(responses: a.responses, dimension: a.dimension))
                    for i in 0..<8 {
                        let p = conjectureInstance(g, a, a.families, index: i)
                        if form == "sequence" { #expect(p.isExported && p.responseCount == 4) }
                        if atReference { #expect(isExactlyAtReference(p), "\(a.text), instance \(i)") }
                    }
                }
            }
        }
    }

    @Test("exactly at the reference: a uniform reference and equal logits, nothing else")
    func exactReference() throws {
        let at = try Problem(beta: 1, features: [[1, 5], [2, 5]], theta: [0, 3], reference: [0.5, 0.5], rewards: [0, 1])
        #expect(isExactlyAtReference(at))
        let logRef = try Problem(beta: 1, features: nil, theta: [log(0.25), log(0.75)], reference: [0.25, 0.75], rewards: [0, 1])
        #expect(!isExactlyAtReference(logRef), "fl(log pi_ref) is at the reference in doubles only")
        #expect(try Evaluation(logRef).atReference)
        let off = try Problem(beta: 1, features: nil, theta: [0, 1e-13], reference: [0.5, 0.5], rewards: [0, 1])
        #expect(!isExactlyAtReference(off))
    }

    @Test("--sequence 2,2: the C1 form at the reference is certified violated on a sequence policy (theta = 0, uniform reference), and shrinking keeps the policy (log-probabilities and scores) while it simplifies the rest")
    func sequenceConjecture() async throws {
        var o = ConjectureOptions()
        (o.instances, o.restarts, o.maxIterations) = (50, 1, 300)
        let a = ConjectureAssumptions(atReference: true, pairs: .policy, dimension: 1...2, sequence: ConjectureSequence(vocabulary: 2, length: 2))
        let r = try await checkConjecture(try Claim.parse("gradientNorm <= 10 * beta * sqrt(pvarPolicy)"), assumptions: a, options: o)
        #expect(r.verdict == .violated, "replay: \(r.rerun)")
        let v = try #require(r.violation), c = try #require(r.counterexample)
        #expect(c.isExported && c.responseCount == 4 && isExactlyAtReference(c))
        #expect(c.logProbabilities == v.logProbabilities && c.features == v.features, "the policy is kept")
        #expect(shrinkDigits(c) < shrinkDigits(v), "rewards and beta simplified")
        #expect(r.rerun.contains("--sequence 2,2"))
        #expect(ConjectureSequence(vocabulary: 2, length: 7) == nil, "128 > 64 responses")
        #expect(ConjectureSequence(vocabulary: 8, length: 2)?.responses == 64)
        #expect(ConjectureSequence(vocabulary: 9, length: 2) == nil, "81 > 64 responses")
    }

    @Test("d is the parameter dimension for every form: a tabular policy (d = K) is admitted only when K lies in --dim, unless --tabular")
    func tabularDimension() throws {
        let tab5 = try Evaluation(Problem(beta: 1, features: nil, theta: [0, 0, 0, 0, 0], reference: [0.2, 0.2, 0.2, 0.2, 0.2],
                                          rewards: [0, 1, 2, 3, 4], pairs: .policy))
        let tab3 = try Evaluation(Problem(beta: 1, features: nil, theta: [0, 0, 0], reference: [0.5, 0.25, 0.25],
                                          rewards: [0, 1, 2], pairs: .policy))
        let loglinear5 = try Evaluation(Problem(beta: 1, features: [[1], [2], [3], [4], [5]], theta: [0.5], reference: [0.2, 0.2, 0.2, 0.2, 0.2],
                                                rewards: [0, 1, 2, 3, 4], pairs: .policy))
        let dims = ConjectureAssumptions(responses: 2...6, dimension: 1...4)
        #expect(!dims.admits(tab5), "tabular K = 5 has d = 5, outside 1...4")
        #expect(dims.admits(tab3) && dims.admits(loglinear5))
        let tabular = ConjectureAssumptions(responses: 2...6, dimension: 1...4, tabular: true)
        #expect(tabular.admits(tab5) && tabular.admits(tab3) && !tabular.admits(loglinear5))
        #expect(ConjectureAssumptions(responses: 2...6, dimension: 1...5).admits(tab5))
    }

    @Test("a strict claim at an irrational equality is undecided, the same claim non-strict is not refuted; an undefined claim is undecided with 0 instances")
    func undecidedVerdicts() async throws {
        var o = ConjectureOptions()
        (o.instances, o.restarts, o.maxIterations) = (100, 1, 500)
        let a = ConjectureAssumptions(atReference: true, pairs: .policy, responses: 2...2, dimension: 1...2)
        let strict = try await checkConjecture(try Claim.parse("gradientNorm < sqrt(2) * beta * scoreBound * sqrt(pvarLabels)"), assumptions: a, options: o)
        #expect(strict.verdict == .undecided && strict.undecidedReason?.contains("ties") == true, "\(String(describing: strict.undecidedReason))")
        let loose = try await checkConjecture(try Claim.parse("gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)"), assumptions: a, options: o)
        #expect(loose.verdict == .notRefuted)
        let undefined = try await checkConjecture(try Claim.parse("log(-K) <= 1"), assumptions: a, options: o)
        #expect(undefined.verdict == .undecided && undefined.instancesChecked == 0)
    }

    @Test("number complexity: significant digits, plus sign, fraction and a far exponent")
    func complexity() {
        #expect(numberComplexity(0) == 0)
        #expect(numberComplexity(1) == 1)
        #expect(numberComplexity(100) == 1)
        #expect(numberComplexity(0.5) == 2)
        #expect(numberComplexity(-0.25) == 4)
        #expect(numberComplexity(0.1 + 0.2) == 18)
        #expect(numberComplexity(1e-18) == 3 && numberComplexity(100_000) == 2 && numberComplexity(1000) == 1)
    }
}
