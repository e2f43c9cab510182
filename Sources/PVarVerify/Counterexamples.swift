// C1: no bound in the policy's own PVar alone can hold.

import PVarCore

/// The C1 counterexample: a tabular policy at the reference (`theta = 0`, uniform reference,
/// K = 2), labels from rewards `(1, 0)`. Every implicit reward is 0, so `p = 1/2` for every
/// pair and `PVar_policy = 0` exactly; but `q(1,2) = sigmoid(1) != 1/2`, so the gradient
/// `beta * E[(1/2 - q)(s_i - s_j)]` is not zero. Hence no `f` with `f(0) = 0` can satisfy
/// `||grad L|| <= f(PVar_policy)`.
public func c1Counterexample(beta: Double = 1) -> Problem {
    do {
        return try Problem(beta: beta, features: nil, theta: [0, 0], reference: [0.5, 0.5],
                           rewards: [1, 0], pairs: .policy)
    } catch {
        preconditionFailure("C1 instance is valid by construction: \(error)")
    }
}
