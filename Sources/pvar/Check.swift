// `pvar check`: randomized checks of B0-B3.

import ArgumentParser
import Foundation
import PVarCore
import PVarGSL
import PVarVerify

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check B0-B3 on random GSL-drawn instances; exit 1 on any violation certified in ball arithmetic.")

    @Option(help: "Instances per statement.") var instances: Int = 10_000
    @Option(help: "Run seed (every instance's own seed derives from it).") var seed: UInt64 = 1
    @Option(help: "Statements to check (repeatable).") var bound: [BoundID] = BoundID.allCases
    @Option(help: "Restrict to one family (repeatable).") var family: [Family] = Family.allCases
    @OptionGroup var shape: ShapeOptions

    func validate() throws {
        guard instances >= 1 else { throw ValidationError("--instances must be >= 1, got \(instances)") }
    }

    func run() async throws {
        var rows: [CheckResult] = []
        for b in bound {
            rows.append(await checkBound(b, instances: instances, runSeed: seed, limits: shape.limits, families: family))
        }
        print(checkTable(rows), terminator: "")
        let candidates = rows.flatMap { r in r.candidates.map { (r, $0) } }
        for (r, v) in candidates.prefix(10) {
            let verdict = v.certified?.rawValue ?? "undecided"
            print("\(verdict == "violated" ? "violation" : "uncertified candidate") of \(r.bound.rawValue): ratio \(v.ratio) "
                  + "in doubles, certified \(verdict); replay: "
                  + replayCommand(seed: seed, regime: r.regime, family: v.family, index: v.index, limits: shape.limits)
                  + " --certify")
        }
        if candidates.contains(where: { $0.1.certified == .violated }) { throw ExitCode(1) }
    }
}
