// The libFuzzer driver shared by every fuzz executable: runs one target's body on each input
// and turns a broken invariant into a crash, which libFuzzer saves as a reproducer.

import Foundation
import PVarFuzzTargets

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The target being fuzzed (set once, before libFuzzer starts; read by the C callback, which
/// cannot capture).
nonisolated(unsafe) var fuzzedTarget = FuzzTarget.instance

/// Runs libFuzzer on `target` with the process's arguments (corpus directories, `-runs=`, ...).
public func runFuzzer(_ target: FuzzTarget) -> CInt {
    fuzzedTarget = target
    FuzzTarget.warmUp()
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
        if let problem = fuzzedTarget.run(bytes) {
            fatalError("fuzz target \(fuzzedTarget.rawValue): \(problem)")
        }
        return 0
    }
}
