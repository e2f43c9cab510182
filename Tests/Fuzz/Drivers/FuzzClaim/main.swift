// libFuzzer on FuzzTarget.claim (see PVarFuzzTargets).
import Foundation
import FuzzDriver

exit(runFuzzer(.claim))
