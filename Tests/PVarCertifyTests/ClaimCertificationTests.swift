// Claims certified in ball arithmetic: exact literals, strictness, the rules for powers and
// roots, and every quantity's enclosure against the double evaluation.

import Foundation
import PVarCertify
import PVarCore
import Testing

/// The package root, from this file's path (Tests/PVarCertifyTests/ClaimCertificationTests.swift).
private let claimPackageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// An instance file of the repository, parsed by the project's parser.
private func instanceFile(_ path: String) throws -> Problem {
    try InstanceFile.parse(Data(contentsOf: claimPackageRoot.appendingPathComponent(path)))
}

/// A claim that parses (test fixtures are literal).
private func claim(_ text: String) -> Claim {
    do { return try Claim.parse(text) } catch { preconditionFailure("fixture claim rejected: \(error)") }
}

/// Number of generated instances for the quantity containment check.
private let claimContainmentInstances = 60

@Suite("ClaimCertification")
struct ClaimCertificationTests {
    /// The walkthrough instance (two uniform responses at the reference) is B2's equality case:
    /// the claim with sqrt(2) is never refuted (equality of irrational numbers cannot be decided,
    /// so it is `undecided` at the largest precision) and its ratio encloses 1.
    @Test func b2AsAClaimIsAnEqualityOnTheWalkthroughInstance() throws {
        let p = try instanceFile("Proofs/examples/k2-uniform-reference.json")
        let c = certifyClaim(p, claim("gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels)"))
        #expect(c.verdict != .violated, "\(c.json())")
        #expect(c.ratio.contains(1), "ratio \(c.ratio) should enclose 1")
        #expect(c.ratio.hi - c.ratio.lo < 1e-15, "ratio \(c.ratio) should be tight")
        #expect(c.smaller.lo > 0)
    }

    /// With 1.3 < sqrt(2) in place of sqrt(2) the same claim is refuted (ratio sqrt(2)/1.3).
    @Test func b2WithASmallerConstantIsViolated() throws {
        let p = try instanceFile("Proofs/examples/k2-uniform-reference.json")
        let c = certifyClaim(p, claim("gradientNorm <= 1.3 * beta * scoreBound * sqrt(pvarLabels)"))
        #expect(c.verdict == .violated, "\(c.json())")
        let expected = 2.0.squareRoot() / 1.3
        #expect(c.ratio.lo <= expected * (1 + 1e-15) && expected * (1 - 1e-15) <= c.ratio.hi, "ratio \(c.ratio)")
        #expect(c.precisionBits == certifiedStartingPrecision)
    }

    /// C1 on its edge case: PVar of the policy is exactly 0 at the reference and the gradient is
    /// not, so any bound in the policy's PVar alone is refuted, with ratio +inf.
    @Test func c1PolicyPVarBoundIsViolated() throws {
        let p = try instanceFile("Tests/Reference/edge-cases/c1.json")
        let c = certifyClaim(p, claim("gradientNorm <= 10 * beta * sqrt(pvarPolicy)"))
        #expect(c.verdict == .violated, "\(c.json())")
        #expect(c.larger == .zero, "the bound is an exact 0: \(c.larger)")
        #expect(c.ratio.lo == .infinity && c.ratio.hi == .infinity, "ratio \(c.ratio)")
        // The fix C1 proves: f(0) = 1/2 suffices at the reference.
        let half = certifyClaim(p, claim("gradientNorm <= beta * scoreBound / 2 + 10 * sqrt(pvarPolicy)"))
        #expect(half.verdict == .holds, "\(half.json())")
    }

    /// Decimal literals are the exact decimals as written: 0.1 * 10 is exactly 1 (in doubles
    /// 0.1 + 0.2 > 0.3, in exact decimals it is equal), decided at the first precision.
    @Test func decimalLiteralsAreExact() {
        let p = c1Instance
        let cases: [(String, ClaimVerdict)] = [
            ("0.1 * 10 <= 1", .holds), ("0.1 * 10 < 1", .violated), ("0.1 * 10 >= 1", .holds),
            ("0.1 + 0.2 <= 0.3", .holds), ("0.1 + 0.2 < 0.3", .violated),
            ("1 / 3 * 3 >= 1", .holds), ("1e-3 * 1000 <= 1", .holds), (".5 * 2 < 1", .violated),
            ("2.5e1 <= 25", .holds), ("0.3 - 0.1 > 0.2", .violated),
        ]
        for (text, expected) in cases {
            let c = certifyClaim(p, claim(text))
            #expect(c.verdict == expected, "\(text): \(c.json())")
            #expect(c.precisionBits == certifiedStartingPrecision, "\(text): \(c.json())")
        }
        // The literal's own enclosure contains 1/10 and excludes the double nearest 0.1.
        let tenth = certifyClaim(p, claim("0.1 <= 1")).smaller
        #expect(tenth.lo <= 0.1 && 0.1 <= tenth.hi, "\(tenth)")
        #expect(certifyClaim(p, claim("0.1 < 0.1000000000000000055511151231257827")).verdict == .holds,
                "the double 0.1 is above 1/10")
    }

    /// Strict and non-strict on exact equalities: `K <= 2` holds and `K < 2` is violated on a
    /// K = 2 instance (and the same for `>=`, `>`); an exact `0 <= 0` holds with ratio [0, 0].
    @Test func strictAndNonStrictOnExactEqualities() {
        let p = c1Instance
        let cases: [(String, ClaimVerdict)] = [
            ("K <= 2", .holds), ("K < 2", .violated), ("2 >= K", .holds), ("2 > K", .violated),
            ("K * d <= 4", .holds), ("beta >= 1", .holds), ("beta > 1", .violated),
            ("maxRewardGap <= 1", .holds), ("maxRewardGap < 1", .violated),
            ("pvarPolicy <= 0", .holds), ("pvarPolicy < 0", .violated),
            ("sqrt(K - 2) <= 0", .holds), ("sqrt(K * 2) <= 2", .holds), ("sqrt(K * 2) < 2", .violated),
        ]
        for (text, expected) in cases {
            let c = certifyClaim(p, claim(text))
            #expect(c.verdict == expected, "\(text): \(c.json())")
        }
        let zero = certifyClaim(p, claim("pvarPolicy <= 0"))
        #expect(zero.ratio == .zero && zero.smaller == .zero && zero.larger == .zero, "\(zero.json())")
        let strictZero = certifyClaim(p, claim("pvarPolicy < 0"))
        #expect(strictZero.ratio == .zero, "0/0 := 0 even for a strict claim: \(strictZero.json())")
    }

    /// Powers and roots: integer exponents work for any sign (exactly on rationals); a
    /// non-integer power or a square root of a possibly negative number decides nothing; a
    /// quantity known >= 0 to a positive power is fine even where it is exactly 0.
    @Test func powersAndRootsFollowTheDocumentedRules() {
        let p = c1Instance
        let cases: [(String, ClaimVerdict)] = [
            ("(-2)^3 <= -8", .holds), ("(-2)^3 < -8", .violated), ("(0.1 - 1)^2 <= 0.81", .holds),
            ("2^-2 >= 0.25", .holds), ("K^0 <= 1", .holds), ("(K - 2)^0 >= 1", .holds),
            ("(-8)^(1/3) <= 0", .undecided), ("(0 - 8)^0.5 <= 100", .undecided),
            ("sqrt(0 - 1) <= 1", .undecided), ("log(K - 2) <= 0", .undecided), ("1 / (K - 2) <= 0", .undecided),
            ("pvarPolicy^0.5 <= 0", .holds), ("pvarPolicy^(1/3) < 1", .holds), ("pvarPolicy^(0 - 0.5) >= 0", .undecided),
            ("pvarLabels^(1/3) <= 1", .holds), ("log(1) >= 0", .holds), ("exp(0) <= 1", .holds),
            ("abs(0.1 - 0.2) <= 0.1", .holds), ("min(0.1, K, 0.3) >= 0.1", .holds), ("max(0.1, K) < 2", .violated),
            ("exp(1) > 2.718281828459045", .holds), ("log(2) > 0.6931471805599453", .holds),
            ("log(2) < 0.69314718055994531", .holds),
            ("sqrt(4/9) <= 2/3", .holds), ("sqrt(4/9) < 2/3", .violated),
        ]
        for (text, expected) in cases {
            let c = certifyClaim(p, claim(text), maxPrecision: 256)
            #expect(c.verdict == expected, "\(text): \(c.json())")
        }
    }

    /// The free constant: without a value the claim is not evaluated (`undecided`, NaN
    /// enclosures, precision 0); with one it is the double taken exactly.
    @Test func freeConstant() {
        let p = c1Instance
        let withC = claim("gradientNorm <= C * beta * scoreBound")
        let missing = certifyClaim(p, withC)
        #expect(missing.verdict == .undecided && missing.precisionBits == 0)
        #expect(missing.smaller.lo.isNaN && missing.ratio.hi.isNaN)
        #expect(certifyClaim(p, withC, freeConstant: .infinity).verdict == .undecided)
        #expect(certifyClaim(p, withC, freeConstant: 0.5).verdict == .holds)
        #expect(certifyClaim(p, withC, freeConstant: 0.2).verdict == .violated)
        // A value for a claim without C is ignored.
        #expect(certifyClaim(p, claim("K <= 2"), freeConstant: .nan).verdict == .holds)
    }

    /// Ratio conventions where the larger side is not positive.
    @Test func ratioConventions() {
        let p = c1Instance
        let infinite = certifyClaim(p, claim("gradientNorm <= 0"))
        #expect(infinite.verdict == .violated && infinite.ratio.lo == .infinity, "\(infinite.json())")
        let negative = certifyClaim(p, claim("0 - 2 <= 0 - 1"))
        #expect(negative.verdict == .holds && negative.ratio == .zero, "\(negative.json())")
        let unknown = certifyClaim(p, claim("1 <= sqrt(0 - 1)"), maxPrecision: 128)
        #expect(unknown.verdict == .undecided && unknown.ratio.lo == -.infinity && unknown.ratio.hi == .infinity,
                "\(unknown.json())")
        #expect(unknown.ratio.json == "[null, null]")
    }

    /// Every quantity's enclosure contains the double value `Evaluation.claimQuantity` gives, up
    /// to the double evaluation's documented accuracy (1e-12 relative), on generated instances
    /// and C1's; an enclosure is also tight (the ball pins the quantity down far beyond doubles).
    @Test func everyQuantityEnclosesItsDoubleValue() {
        let instances = [(-1, c1Instance)] + (0..<claimContainmentInstances).map { ($0, generatedInstance($0, seed: certificationSeed)) }
        for (index, p) in instances {
            let e: Evaluation
            do { e = try Evaluation(p) } catch { Issue.record("\(error)"); continue }
            for q in ClaimQuantity.allCases {
                let c = certifyClaim(p, Claim(lhs: .quantity(q), relation: .lessOrEqual, rhs: .number("0")))
                let x = e.claimQuantity(q)
                #expect(relativeDistance(x, from: c.smaller) <= doubleEvaluationAccuracy,
                        "\(q): double \(x) outside \(c.smaller); \(replay(index, p))")
                #expect(c.smaller.relativeRadius <= maximalRelativeWidthAt128Bits || c.smaller.isExactZero,
                        "\(q): enclosure \(c.smaller) too wide; \(replay(index, p))")
                #expect(c.smaller.lo >= 0, "\(q) is >= 0 by definition: \(c.smaller)")
            }
        }
    }

    /// A compound claim's double ratio (`Evaluation.claimRatio`) lies in the certified ratio, and
    /// the verdict agrees with the double one wherever the double ratio is clearly away from 1.
    @Test func doubleRatiosLieInTheCertifiedRatio() {
        let claims = [
            "gradientNorm <= sqrt(2) * beta * scoreBound * sqrt(pvarLabels) + 2 * beta * scoreBound * sqrt(pvarPolicy)",
            "snr <= 4 * pvarLabels / (1 - 4 * pvarLabels)",
            "labelNoise <= noise", "loss >= log(2) - maxRewardGap", "fisherTrace <= scoreBound^2",
            "minPolicyProbability * K <= 1", "maxPolicyProbability * K >= 1",
            "gradientNorm <= beta * scoreSpread * disagreement",
        ].map(claim)
        for index in 0..<8 {
            let p = generatedInstance(index, seed: certificationSeed)
            let e: Evaluation
            do { e = try Evaluation(p) } catch { Issue.record("\(error)"); continue }
            for cl in claims {
                let c = certifyClaim(p, cl, maxPrecision: 256)
                let r = e.claimRatio(cl).ratio
                #expect(relativeDistance(r, from: c.ratio) <= 1e-11, "\(cl): double ratio \(r), certified \(c.json()); \(replay(index, p))")
                if abs(r - 1) > 1e-6 && r.isFinite && c.ratio.lo.isFinite {
                    let expected: ClaimVerdict = cl.isRefuted(byRatio: r) ? .violated : .holds
                    #expect(c.verdict == expected, "\(cl): double ratio \(r), certified \(c.json()); \(replay(index, p))")
                }
            }
        }
    }
}
