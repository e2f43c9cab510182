// B0-B3 on sequence-level policies (token log-linear, enumerated exactly).

import Foundation
import PVarCertify
import PVarCore
import PVarGSL
import PVarVerify
import PVarTestSupport
import Testing

@Suite("SequenceBounds")
struct SequenceBoundTests {
    static let instances = 1500

    @Test("B0-B3 hold on random sequence instances of their regimes (V 2-4, T 1-4), no candidate violation",
          arguments: BoundID.allCases)
    func boundHoldsOnSequenceInstances(_ bound: BoundID) throws {
        let reg = regime(for: bound)
        var applicable = 0, worst = 0.0
        for i in 0..<Self.instances {
            let p = generator.sequenceInstance(reg, index: i)
            let b = try Evaluation(p).bound(bound)
            guard b.applies else { continue }
            applicable += 1
            if b.resolved { worst = max(worst, b.ratio) }
            if !b.holds {
                let verdict = certify(p).bounds[bound]?.verdict.rawValue ?? "-"
                Issue.record("\(bound.rawValue) on sequence instance \(i): ratio \(b.ratio), certified \(verdict); seed \(runSeed): InstanceGenerator(runSeed:).sequenceInstance(.\(reg), index: \(i))")
            }
        }
        #expect(applicable == Self.instances, "\(bound.rawValue): \(applicable) of \(Self.instances) applicable")
        #expect(worst > 0)
    }

    @Test("certification runs on sequence instances: the worst B2 instance is certified, never violated")
    func certificationOnSequences() throws {
        var best: (Double, Problem)? = nil
        for i in 0..<300 {
            let p = generator.sequenceInstance(.atReference, index: i)
            let r = try Evaluation(p).bound(.B2).ratio
            if best == nil || r > best!.0 { best = (r, p) }
        }
        let verdict = try #require(best.flatMap { certify($0.1).bounds[.B2]?.verdict })
        #expect(verdict == .holds || verdict == .tight, "\(verdict)")
    }
}
