"""Reference point for `make bench`: the vectorised NumPy evaluation a researcher would write.

Computes the same exact quantities as `pvar evaluate` (loss, gradient, PVar of the policy and of
the labels, disagreement, score spread D, score bound G) for one random log-linear instance with
K responses and d features, using K x K matrices, and prints
"K=.. d=.. seconds/eval=.." (median of R runs).

Usage: python3 numpy_eval.py K d R
"""
import sys
import time

import numpy as np


def evaluate(phi, theta, logref, r, beta):
    z = phi @ theta
    logpi = z - np.logaddexp.reduce(z)
    pi = np.exp(logpi)
    h = beta * (logpi - logref)
    dh = h[:, None] - h[None, :]
    dr = r[:, None] - r[None, :]
    p = 1.0 / (1.0 + np.exp(-dh))
    q = 1.0 / (1.0 + np.exp(-dr))
    w = pi[:, None] * pi[None, :]
    loss = np.sum(w * (q * np.logaddexp(0.0, -dh) + (1.0 - q) * np.logaddexp(0.0, dh)))
    c = np.sum(w * (p - q), axis=1)
    grad = 2.0 * beta * (phi.T @ c)
    pvar_policy = np.sum(w * (p - 0.5) ** 2)
    pvar_labels = np.sum(w * (q - 0.5) ** 2)
    delta = np.sqrt(np.sum(w * (p - q) ** 2))
    scores = phi - pi @ phi
    fisher = np.sum(pi * np.sum(scores ** 2, axis=1))
    D = np.sqrt(2.0 * fisher)
    G = np.max(np.linalg.norm(scores, axis=1))
    return loss, grad, pvar_policy, pvar_labels, delta, D, G


def main():
    K, d, R = (int(x) for x in sys.argv[1:4])
    rng = np.random.default_rng(1)
    phi = rng.standard_normal((K, d))
    theta = 0.3 * rng.standard_normal(d)
    ref = rng.dirichlet(np.ones(K))
    r = rng.standard_normal(K)
    times = []
    for _ in range(R):
        t0 = time.perf_counter()
        evaluate(phi, theta, np.log(ref), r, 0.5)
        times.append(time.perf_counter() - t0)
    print(f"K={K} d={d} seconds/eval={sorted(times)[len(times) // 2]:.6g}")


if __name__ == "__main__":
    main()
