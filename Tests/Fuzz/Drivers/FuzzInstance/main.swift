// libFuzzer on FuzzTarget.instance (see PVarFuzzTargets).
import Foundation
import FuzzDriver

exit(runFuzzer(.instance))
