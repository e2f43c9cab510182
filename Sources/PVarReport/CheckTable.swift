// The `pvar check` summary table.

import PVarCore
import PVarVerify

/// A Markdown table: statement, instances, max ratio, candidates (double precision),
/// violations (certified in ball arithmetic), seed.
/// "below double range" counts instances whose two sides are too small for doubles to compare
/// (see `resolutionFloor`); "max ratio" is over the others.
public func checkTable(_ rows: [CheckResult]) -> String {
    var out = "| statement | regime | instances | applicable | below double range | max ratio | candidates | certified violations | seed |\n"
    out += "|---|---|---|---|---|---|---|---|---|\n"
    for r in rows {
        out += "| \(r.bound.rawValue) | \(r.regime.rawValue) | \(r.instances) | \(r.applicable) | \(r.unresolved) | "
            + "\(InstanceFile.format(r.maxRatio)) | \(r.candidates.count) | \(r.violations.count) | \(r.runSeed) |\n"
    }
    return out
}
