// libFuzzer on FuzzTarget.shard (see PVarFuzzTargets).
import Foundation
import FuzzDriver

exit(runFuzzer(.shard))
