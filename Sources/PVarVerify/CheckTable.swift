// The `pvar check` summary table.

import PVarCore

/// A Markdown table: statement, instances, max ratio, violations, seed.
public func checkTable(_ rows: [CheckResult]) -> String {
    var out = "| statement | regime | instances | applicable | max ratio | violations | seed |\n"
    out += "|---|---|---|---|---|---|---|\n"
    for r in rows {
        out += "| \(r.bound.rawValue) | \(r.regime.rawValue) | \(r.instances) | \(r.applicable) | "
            + "\(InstanceFile.format(r.maxRatio)) | \(r.violations.count) | \(r.runSeed) |\n"
    }
    return out
}
