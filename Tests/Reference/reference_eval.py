#!/usr/bin/env python3
"""Independent high-precision reference evaluator for the Swift library.

Deliberately naive formulas (direct O(K^2 d) double sums) evaluated with
mpmath at 60 significant digits, so it serves as an independent check of the
Swift code.  Every input double is taken as an exact rational (mpf(float)).

Usage:
    python3 Tests/Reference/reference_eval.py inst1.json [inst2.json ...]
    cat inst.json | python3 Tests/Reference/reference_eval.py -

Input (JSON object): beta, features (K x d, or absent/null = identity),
theta (d), reference (K, normalised here), rewards (K),
pairs ("policy" default | "reference" | K nonnegative weights, normalised).
Output: one JSON object per input line (JSON Lines); every number is a
decimal string with 40 significant digits; ratios x/0 are "inf", 0/0 is 0.
"""
import json
import itertools
import sys

from mpmath import mp, mpf, exp, log, log1p, sqrt, cbrt, fsum, fdot, nstr

mp.dps = 60
half = mpf(1) / 2


def fmt(x):
    return nstr(x, 40, strip_zeros=False, min_fixed=-6, max_fixed=12)


def sigmoid(x):
    return 1 / (1 + exp(-x))


def sequence_policy(seq):
    """Token-level log-linear sequence policy, enumerated from its definition: for every
    sequence y (lexicographic order), log pi(y) = sum_t log softmax_v(theta . phi(t, y_{t-1}, v))[y_t]
    and grad log pi(y) = sum_t (phi(t, y_{t-1}, y_t) - E_v phi(t, y_{t-1}, v)), y_{-1} = V (start)."""
    V, T = seq["vocabulary"], seq["length"]
    theta = [mpf(v) for v in seq["theta"]]
    d = len(theta)
    F = seq["tokenFeatures"]
    lps, scores = [], []
    for y in itertools.product(range(V), repeat=T):
        lp, s = mpf(0), [mpf(0)] * d
        prev = V
        for t in range(T):
            phis = [[mpf(x) for x in F[t][prev][v]] for v in range(V)]
            logits = [fsum(a * b for a, b in zip(ph, theta)) for ph in phis]
            mx = max(logits)
            den = fsum(exp(l - mx) for l in logits)
            probs = [exp(l - mx) / den for l in logits]
            lp += logits[y[t]] - mx - log(den)
            s = [s[c] + phis[y[t]][c] - fsum(probs[v] * phis[v][c] for v in range(V)) for c in range(d)]
            prev = y[t]
        lps.append(lp)
        scores.append(s)
    return lps, scores


def pair_weights(pairs, pi, ref, number, total):
    """mu as `pairs` says: the policy (default), the reference, or the given weights divided by
    their sum (`number` takes an input double exactly, `total` sums a list)."""
    if pairs is None or pairs == "policy":
        return pi
    if pairs == "reference":
        return ref
    w = [number(v) for v in pairs]
    s = total(w)
    return [v / s for v in w]


def evaluate(inst):
    beta = mpf(inst["beta"])
    ref = [mpf(v) for v in inst["reference"]]
    K = len(ref)
    r = [mpf(v) for v in inst["rewards"]]
    if "sequence" in inst and inst["sequence"] is not None:
        lp, sc = sequence_policy(inst["sequence"])
        inst = dict(inst, policy={"logProbabilities": lp, "scores": sc})
    if "policy" in inst and inst["policy"] is not None:
        # Exported form: the logits are the given log-probabilities and the scores play the
        # role of feature rows (s_y = grad log pi(y); centring them at pi changes nothing exactly).
        Phi = [[mpf(v) for v in row] for row in inst["policy"]["scores"]]
        d = len(Phi[0])
        z = [mpf(v) for v in inst["policy"]["logProbabilities"]]
    else:
        feats = inst.get("features")
        if feats is None:
            Phi = [[mpf(1) if a == b else mpf(0) for b in range(K)] for a in range(K)]
        else:
            Phi = [[mpf(v) for v in row] for row in feats]
        theta = [mpf(v) for v in inst["theta"]]
        d = len(theta)
        z = [fsum(Phi[y][k] * theta[k] for k in range(d)) for y in range(K)]

    sref = fsum(ref)
    ref = [v / sref for v in ref]

    # Policy: logits, log-softmax (shifted by the max, exact in high precision).
    m = max(z)
    ez = [exp(v - m) for v in z]
    sez = fsum(ez)
    pi = [v / sez for v in ez]
    logpi = [v - m - log(sez) for v in z]

    mu = pair_weights(inst.get("pairs", "policy"), pi, ref, mpf, fsum)

    h = [beta * (logpi[y] - log(ref[y])) for y in range(K)]
    # Scores s_y = Phi^T (e_y - pi) = Phi_y - Phi^T pi, computed once (equal
    # feature entries then give exactly equal score entries).
    E = [fsum(Phi[a][k] * pi[a] for a in range(K)) for k in range(d)]
    s = [[Phi[y][k] - E[k] for k in range(d)] for y in range(K)]
    sn = [sqrt(fsum(c * c for c in sy)) for sy in s]

    loss_t, coef, diffs, pq = [], [], [], []
    pvp_t, pvl_t, dis_t, spr_t = [], [], [], []
    for i in range(K):
        for j in range(K):
            dh = h[i] - h[j]
            e = exp(-dh)
            p = 1 / (1 + e)                       # sigmoid(h_i - h_j)
            q = sigmoid(r[i] - r[j])
            wij = mu[i] * mu[j]
            logp, log1mp = -log1p(e), -log1p(1 / e)
            loss_t.append(wij * (-q * logp - (1 - q) * log1mp))
            diff = [s[i][k] - s[j][k] for k in range(d)]
            coef.append(wij * (p - q))
            diffs.append(diff)
            pq.append((wij, p, q))
            pvp_t.append(pi[i] * pi[j] * (p - half) ** 2)
            pvl_t.append(wij * (q - half) ** 2)
            dis_t.append(wij * (p - q) ** 2)
            spr_t.append(wij * fdot(diff, diff))

    loss = fsum(loss_t)
    grad = [beta * fdot(coef, [df[k] for df in diffs]) for k in range(d)]
    gnorm = sqrt(fdot(grad, grad))
    pvp, pvl = fsum(pvp_t), fsum(pvl_t)
    dis, D = sqrt(fsum(dis_t)), sqrt(fsum(spr_t))
    G = max(sn) if sn else mpf(0)
    ftr = fsum(pi[y] * sn[y] ** 2 for y in range(K))

    # One-pair stochastic gradient g = beta (p - z)(s_i - s_j), z ~ Bernoulli(q): its noise
    # E||g - grad L||^2, straight from the definition (z = 1 with probability q, else 0).
    noise_t = []
    for (wij, p, q), diff in zip(pq, diffs):
        for z, prob in ((1, q), (0, 1 - q)):
            dev = [beta * (p - z) * diff[k] - grad[k] for k in range(d)]
            noise_t.append(wij * prob * fdot(dev, dev))
    noise = fsum(noise_t)
    snr = (mpf(0) if gnorm == 0 else gnorm ** 2 / noise) if noise != 0 or gnorm == 0 else None

    bvals = {
        "B0": beta * D * dis,
        "B1": sqrt(2) * beta * G * (sqrt(pvp) + sqrt(pvl)),
        "B2": sqrt(2) * beta * G * sqrt(pvl),
        "B3": 3 * beta * G * cbrt(pvl),
    }
    bounds = {}
    for name, v in bvals.items():
        if v == 0:
            ratio = fmt(mpf(0)) if gnorm == 0 else "inf"
        else:
            ratio = fmt(gnorm / v)
        bounds[name] = {"value": fmt(v), "ratio": ratio}

    return {
        "loss": fmt(loss), "gradient": [fmt(g) for g in grad],
        "gradientNorm": fmt(gnorm), "pvarPolicy": fmt(pvp),
        "pvarLabels": fmt(pvl), "disagreement": fmt(dis),
        "scoreSpread": fmt(D), "scoreBound": fmt(G), "fisherTrace": fmt(ftr),
        "noise": fmt(noise), "snr": fmt(snr) if snr is not None else "inf",
        "bounds": bounds,
    }


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    for path in argv:
        if path == "-":
            inst = json.load(sys.stdin)
        else:
            with open(path) as f:
                inst = json.load(f)
        out = {"file": path}
        out.update(evaluate(inst))
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
