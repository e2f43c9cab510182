// The claim language: parsing (precedence, errors with their position), double evaluation
// against the library's own outputs, and the ratio conventions.

import Foundation
import PVarCore
import Testing

@Suite("Claim")
struct ClaimTests {
    @Test("precedence and associativity: ^ binds tighter than unary minus and is right-associative; * / before + -")
    func precedence() throws {
        let cases: [(String, String)] = [
            ("K <= 1 + 2 * 3", "((1 + (2 * 3)))"),
            ("K <= -2^2", "((-(2 ^ 2)))"),
            ("K <= 2^3^2", "((2 ^ (3 ^ 2)))"),
            ("K <= 8 / 4 / 2", "(((8 / 4) / 2))"),
            ("K <= 1 - 2 - 3", "(((1 - 2) - 3))"),
            ("K <= (1 + 2) * 3", "(((1 + 2) * 3))"),
            ("K <= max(1, 2, sqrt(4))", "(max(1, 2, sqrt(4)))"),
            ("gradientNorm <= C * beta * scoreBound * pvarLabels^0.5", "((((C * beta) * scoreBound) * (pvarLabels ^ 0.5)))"),
        ]
        for (text, rhs) in cases {
            let c = try Claim.parse(text)
            #expect("(\(c.rhs))" == rhs, "\(text): parsed as \(c.rhs)")
        }
    }

    @Test("relations: <= < >= >, the smaller and larger sides and strictness")
    func relations() throws {
        let le = try Claim.parse("gradientNorm <= beta")
        #expect(le.relation == .lessOrEqual && le.smaller == .quantity(.gradientNorm) && !le.isStrict)
        let gt = try Claim.parse("beta > gradientNorm")
        #expect(gt.relation == .greater && gt.smaller == .quantity(.gradientNorm) && gt.larger == .quantity(.beta) && gt.isStrict)
        let ge = try Claim.parse("snr>=0")
        #expect(ge.relation == .greaterOrEqual && ge.smaller == .number("0"))
        #expect(try Claim.parse("K < 3").isStrict)
    }

    @Test("parse errors name the position (with a caret) and what was expected; unknown names list the known ones")
    func errors() {
        func failure(_ text: String) -> ClaimParseError? {
            do { _ = try Claim.parse(text); return nil } catch { return error }
        }
        let missingRelation = failure("gradientNorm beta")
        #expect(missingRelation?.position == 13 && missingRelation?.message.contains("expected a relation") == true,
                "\(String(describing: missingRelation))")
        let unclosed = failure("gradientNorm <= (beta * 2")
        #expect(unclosed?.position == 25 && unclosed?.message.contains("expected ')'") == true, "\(String(describing: unclosed))")
        #expect(unclosed?.description.hasSuffix("\n  gradientNorm <= (beta * 2\n  " + String(repeating: " ", count: 25) + "^") == true,
                "the caret sits under the position: \(String(describing: unclosed?.description))")
        let unknown = failure("gradNorm <= beta")
        #expect(unknown?.position == 0 && unknown?.description.hasPrefix("claim: unknown name 'gradNorm' at character 1; the known quantities are gradientNorm,") == true,
                "\(String(describing: unknown))")
        for q in ClaimQuantity.allCases {
            #expect(unknown?.hint?.contains(q.rawValue) == true, "the unknown-name hint lists \(q.rawValue)")
        }
        let twoRelations = failure("K <= 2 <= 3")
        #expect(twoRelations?.message.contains("one relation") == true, "\(String(describing: twoRelations))")
        let arity = failure("K <= sqrt(1, 2)")
        #expect(arity?.message.contains("one argument") == true && arity?.position == 5, "\(String(describing: arity))")
        let badNumber = failure("K <= 1.2.3")
        #expect(badNumber?.message.contains("not a decimal number") == true, "\(String(describing: badNumber))")
        #expect(failure("K <=") != nil && failure("<= K") != nil && failure("K <= 2 beta") != nil)
        // A number beyond the double range says so (and suggests a power, which is accepted).
        let huge = failure("K <= 1e999")
        #expect(huge?.message.contains("beyond the double range") == true && huge?.position == 5, "\(String(describing: huge))")
        #expect(failure("K <= 10^999") == nil)
        // Tabs before the position are copied into the caret line, so the caret stays under it.
        let tabbed = failure("K\t<=\t(beta")
        #expect(tabbed?.description.hasSuffix("\n  K\t<=\t(beta\n   \t  \t     ^") == true, "\(String(describing: tabbed?.description))")
    }

    @Test("depth limit: a claim nested maxClaimDepth levels parses, one level more (or 2,000) is a parse error naming the limit, and a claim over maxClaimLength characters (30,000 parentheses, which overflowed the stack before) is refused before any recursion")
    func depthLimit() throws {
        func nested(_ n: Int) -> String { "K <= " + String(repeating: "(", count: n - 1) + "1" + String(repeating: ")", count: n - 1) }
        func minuses(_ n: Int) -> String { "K >= " + String(repeating: "-", count: n - 1) + "1" }
        func chain(_ n: Int) -> String { "K <= 1" + String(repeating: " + 1", count: n - 1) }
        // Each form at exactly the limit parses; one level more fails with the limit named.
        for (name, make) in [("parentheses", nested), ("unary minus", minuses), ("a chain of +", chain)] as [(String, (Int) -> String)] {
            #expect((try? Claim.parse(make(maxClaimDepth))) != nil, "\(name) at \(maxClaimDepth) levels")
            for n in [maxClaimDepth + 1, 2_000] where make(n).count <= maxClaimLength {
                do { _ = try Claim.parse(make(n)); Issue.record("\(name) at \(n) levels parsed") } catch {
                    #expect(error.message.contains("deeper than \(maxClaimDepth) levels"), "\(name) at \(n): \(error.message)")
                }
            }
        }
        #expect(try Claim.parse(chain(maxClaimDepth)).rhs.evaluate(in: ClaimDoubles(freeConstant: 0, value: { _ in 0 })) == Double(maxClaimDepth))
        do { _ = try Claim.parse("K <= " + String(repeating: "(", count: 30_000) + "1"); Issue.record("30,000 parentheses parsed") } catch {
            #expect(error.message.contains("characters long"), "\(error.message)")
        }
    }

    @Test("the free constant C and the quantities used")
    func freeConstantAndQuantities() throws {
        let c = try Claim.parse("gradientNorm <= C * beta * scoreBound * sqrt(pvarLabels)")
        #expect(c.hasFreeConstant)
        #expect(c.quantities == [.gradientNorm, .beta, .scoreBound, .pvarLabels])
        #expect(!(try Claim.parse("gradientNorm <= beta")).hasFreeConstant)
    }

    @Test("double evaluation: every quantity is the library's own output, and B2 written as a claim is the statement table's value")
    func doubleEvaluation() throws {
        let p = try Problem(beta: 0.7, features: [[1, 0.5], [-0.3, 2], [0.2, -1]], theta: [0.4, -0.1],
                            reference: [0.2, 0.3, 0.5], rewards: [1, -0.5, 2], pairs: .weights([0.5, 0.25, 0.25]))
        let e = try Evaluation(p)
        let noise = e.noiseDecomposition()
        let expected: [ClaimQuantity: Double] = [
            .gradientNorm: e.gradientNorm, .loss: e.loss, .pvarPolicy: e.pvarPolicy, .pvarLabels: e.pvarLabels,
            .labelVariance: e.meanLabelVariance,
            .disagreement: e.disagreement, .scoreSpread: e.scoreSpread, .scoreBound: e.scoreBound,
            .fisherTrace: e.fisherTrace, .noise: noise.total, .labelNoise: noise.labelNoise, .snr: e.signalToNoise(),
            .beta: 0.7, .K: 3, .d: 2, .minPolicyProbability: e.policy.min()!, .maxPolicyProbability: e.policy.max()!,
            .maxRewardGap: 2.5,
        ]
        #expect(Set(expected.keys) == Set(ClaimQuantity.allCases))
        for (q, v) in expected {
            #expect(e.claimQuantity(q) == v, "\(q)")
        }
        let b0 = try Claim.parse("gradientNorm <= beta * scoreSpread * disagreement")
        let r = e.claimRatio(b0)
        #expect(r.smaller == e.gradientNorm && r.larger == e.bound(.B0).value && r.ratio == e.bound(.B0).ratio)
        let fit = try Claim.parse("gradientNorm <= C * beta * scoreSpread * disagreement")
        #expect(e.claimRatio(fit, freeConstant: 2).ratio == e.bound(.B0).ratio / 2)
    }

    @Test("functions and operators in doubles")
    func functions() throws {
        let e = try Evaluation(Problem(beta: 1, features: nil, theta: [0, 0], reference: [0.5, 0.5], rewards: [1, 0], pairs: .policy))
        func value(_ rhs: String) throws -> Double { e.claimRatio(try Claim.parse("0 <= " + rhs)).larger }
        #expect(try value("sqrt(16) + log(exp(2)) + abs(-3) + min(4, 1, 7) + max(-1, 5)") == 4 + 2 + 3 + 1 + 5)
        #expect(try value("2^10 - 24 / 4 * 2") == 1012)
        #expect(try value("1e-3 * 1000") == 1)
        #expect(try value("K * d") == 4)
        // Roots written sqrt(x) or x^(1/n) are roots (nthRoot: cbrt, as the statement table takes
        // them, not pow(x, fl(1/3))); a negative radicand gives NaN; a chain of * is a product
        // without spurious overflow.
        #expect(try value("27^(1/3)") == cbrt(27))
        #expect(try value("16^(1/4)") == 2)
        #expect(try value("(-8)^(1/3)").isNaN)
        #expect(try value("1e300 * 1e10 * 1e-300") == 1e10)
        #expect(try value("(1e300 * 1e10) * 1e-300") == 1e10)
        #expect(try value("1e300 * 1e10 / 1e300").isInfinite)   // only chains of * are products
    }

    @Test("ratio conventions: 0/0 = 0, x/0 = inf, a non-positive larger side, NaN; strict claims fail at equality")
    func ratioConventions() throws {
        #expect(Claim.ratio(smaller: 1, larger: 2) == 0.5)
        #expect(Claim.ratio(smaller: 0, larger: 0) == 0)
        #expect(Claim.ratio(smaller: 1, larger: 0) == .infinity)
        #expect(Claim.ratio(smaller: -1, larger: -0.5) == 0)
        #expect(Claim.ratio(smaller: 0, larger: -1) == .infinity)
        #expect(Claim.ratio(smaller: .nan, larger: 1).isNaN)
        let le = try Claim.parse("K <= 2"), lt = try Claim.parse("K < 2")
        #expect(!le.isRefuted(byRatio: 1) && lt.isRefuted(byRatio: 1))
        #expect(le.isRefuted(byRatio: 1.0000001) && !lt.isRefuted(byRatio: 0.999))
        // A strict claim with a non-positive larger side fails at equality: 0 < 0 is false, 0 <= 0 true.
        let strictZero = try Claim.parse("pvarPolicy < 0"), zero = try Claim.parse("pvarPolicy <= 0")
        #expect(strictZero.ratio(smaller: 0, larger: 0) == .infinity && zero.ratio(smaller: 0, larger: 0) == 0)
        #expect(strictZero.ratio(smaller: -2, larger: -1) == 0 && strictZero.ratio(smaller: -1, larger: -1) == .infinity)
        let e = try Evaluation(Problem(beta: 1, features: nil, theta: [0, 0], reference: [0.5, 0.5], rewards: [1, 0], pairs: .policy))
        #expect(e.claimRatio(strictZero).ratio == .infinity && e.claimRatio(zero).ratio == 0)
        // NaN in min/max propagates whatever the order.
        #expect(e.claimRatio(try Claim.parse("0 <= min(1, sqrt(0 - 1))")).larger.isNaN)
        #expect(e.claimRatio(try Claim.parse("0 <= max(sqrt(0 - 1), 1)")).larger.isNaN)
    }
}
