// libFuzzer on FuzzTarget.selectLines (see PVarFuzzTargets).
import Foundation
import FuzzDriver

exit(runFuzzer(.selectLines))
