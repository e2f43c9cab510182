// libFuzzer on FuzzTarget.sequence (see PVarFuzzTargets).
import Foundation
import FuzzDriver

exit(runFuzzer(.sequence))
