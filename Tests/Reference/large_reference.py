#!/usr/bin/env python3
"""High-precision reference for one large instance (K in the thousands), in row chunks.

`reference_eval.py` stores every ordered pair and its d-vector of score differences in mpmath,
which is O(K^2 d) objects: fine for the usual files (K <= 64), impossible at K = 8192, d = 64.
This script evaluates the same definitions, every quantity except the noise (O(K^2 d)), with
Arb ball arithmetic (python-flint, `pip install python-flint`) at PREC bits, in O(K^2) time and
O(K d) memory, the pair rows split into chunks that run in parallel processes:

- logits z = Phi theta (exact inputs: each double is an exact rational), pi = softmax(z),
  h_y = beta (log pi_y - log ref_y), mu = pi / ref / normalised weights (as `pairs` says);
- per unordered pair i < j, with a_y = exp(h_y - max h), b_y = exp(r_y - max r):
  p = a_i / (a_i + a_j) = sigmoid(h_i - h_j), q = b_i / (b_i + b_j) = sigmoid(r_i - r_j),
  loss term -q log p - (1 - q) log(1 - p) = log(a_i + a_j) - q log a_i - (1 - q) log a_j
  (the same real number, one logarithm per pair); each ordered sum is twice the unordered one
  (every summand is symmetric under i <-> j) plus the diagonal (p = q = 1/2: log 2 in the loss);
- c_i = sum_j mu_i mu_j (p_ij - q_ij) over all j, so grad L = beta sum_ij mu_i mu_j (p - q)(s_i - s_j)
  = 2 beta sum_i c_i s_i (antisymmetry), with s_y = phi_y - sum_a pi_a phi_a;
- D^2 = sum_ij mu_i mu_j ||s_i - s_j||^2 = 2 sum_i mu_i ||s_i||^2 - 2 ||sum_i mu_i s_i||^2,
  G = max_y ||s_y||, tr F = sum_y pi_y ||s_y||^2, and the bounds B0..B3 as in `reference_eval.py`.

These rewrites are identities of real numbers; in ball arithmetic every rounding is enclosed,
and the script refuses to print a value whose ball is wider than 1e-30 relative (it would say
which). Output: one JSON object with 40-digit decimal strings, the keys of `reference_eval.py`
without "noise" and "snr".

Usage: python3 Tests/Reference/large_reference.py INSTANCE.json [--processes N] [--chunks M] [--prec BITS]
           [--compare PVAR_OUTPUT.json]
With --compare (the output of `pvar evaluate --input INSTANCE.json`), it prints instead, per output,
pvar's relative error against the reference (gradient entries relative to the gradient's norm,
as the agreement suite measures them) and the worst of all.
"""
import argparse
import json
import multiprocessing
import sys

from flint import arb, ctx

from reference_eval import pair_weights

PREC = 256
# The widest ball accepted: relative to its midpoint, or this absolute radius (a value that is
# exactly 0, such as PVar of the policy at the reference, is a ball around 0).
MAX_RELATIVE_RADIUS = 1e-30
MAX_ABSOLUTE_RADIUS = 1e-60


def load(path):
    with open(path) as f:
        inst = json.load(f)
    for key in ("policy", "sequence"):
        if inst.get(key) is not None:
            sys.exit(f"large_reference.py: the {key} form is not supported (features or tabular only)")
    return inst


def setup(inst):
    """The per-response balls every chunk needs (O(K d))."""
    beta = arb(inst["beta"])
    ref = [arb(v) for v in inst["reference"]]
    K = len(ref)
    r = [arb(v) for v in inst["rewards"]]
    feats = inst.get("features")
    theta = [arb(v) for v in inst["theta"]]
    if feats is None:
        z = theta[:]  # Phi = I
    else:
        z = [sum((arb(x) * t for x, t in zip(row, theta)), arb(0)) for row in feats]
    sref = sum(ref, arb(0))
    ref = [v / sref for v in ref]
    zmax = max(z, key=lambda b: b.mid())
    ez = [(v - zmax).exp() for v in z]
    sez = sum(ez, arb(0))
    pi = [v / sez for v in ez]
    logpi = [v - zmax - sez.log() for v in z]
    mu = pair_weights(inst.get("pairs", "policy"), pi, ref, arb, lambda w: sum(w, arb(0)))
    h = [beta * (lp - rf.log()) for lp, rf in zip(logpi, ref)]
    hmax = max(h, key=lambda b: b.mid())
    rmax = max(r, key=lambda b: b.mid())
    a = [(v - hmax).exp() for v in h]
    loga = [v - hmax for v in h]
    b = [(v - rmax).exp() for v in r]
    return dict(K=K, beta=beta, pi=pi, mu=mu, a=a, loga=loga, b=b)


STATE = {}


def pack(x):
    """A ball as exact integers (arb values cannot cross a process boundary)."""
    return tuple(int(v) for v in x.mid().man_exp()), tuple(int(v) for v in x.rad().man_exp())


def root_nonnegative(x, n=2):
    """The n-th root of a quantity that is >= 0 by definition (a sum of squares): the negative
    part of its ball, if any, is discarded (rigorous, as Arb's arb_sqrtpos)."""
    if x > 0:
        return x.sqrt() if n == 2 else x.root(n)
    top = x.upper()
    return arb(0).union(top.sqrt() if n == 2 else top.root(n))


def unpack(t):
    return arb(arb(t[0]), arb(t[1]))


def init_worker(path, prec):
    ctx.prec = prec
    STATE.update(setup(load(path)))


def chunk(rows):
    """Sums over the unordered pairs i < j with i in rows, and the residual sums c (all K)."""
    s = STATE
    K, pi, mu, a, loga, b = s["K"], s["pi"], s["mu"], s["a"], s["loga"], s["b"]
    loss = pvp = pvl = dis = arb(0)
    c = [arb(0)] * K
    half = arb(1) / 2
    for i in range(rows[0], rows[1]):
        ai, bi, la_i, pi_i, mu_i = a[i], b[i], loga[i], pi[i], mu[i]
        ci = arb(0)
        for j in range(i + 1, K):
            A = ai + a[j]
            p = ai / A
            q = bi / (bi + b[j])
            w = mu_i * mu[j]
            e = p - q
            loss += w * (A.log() - q * la_i - (1 - q) * loga[j])
            tp, tq = p - half, q - half
            pvp += pi_i * pi[j] * tp * tp
            pvl += w * tq * tq
            dis += w * e * e
            we = w * e
            ci += we
            c[j] -= we
        c[i] += ci
    return tuple(pack(x) for x in (loss, pvp, pvl, dis)) + (tuple(pack(x) for x in c),)


def finish(inst, parts, prec):
    ctx.prec = prec
    s = setup(inst)
    K, beta, pi, mu = s["K"], s["beta"], s["pi"], s["mu"]
    loss = pvp = pvl = dis = arb(0)
    c = [arb(0)] * K
    for part in parts:
        l, p1, p2, d1 = (unpack(x) for x in part[:4])
        cc = [unpack(x) for x in part[4]]
        loss, pvp, pvl, dis = loss + l, pvp + p1, pvl + p2, dis + d1
        c = [x + y for x, y in zip(c, cc)]
    log2 = arb(2).log()
    loss = 2 * loss + log2 * sum((m * m for m in mu), arb(0))
    pvp, pvl, dis = 2 * pvp, 2 * pvl, 2 * dis
    # Scores s_y = phi_y - sum_a pi_a phi_a (tabular: phi_y = e_y).
    feats = inst.get("features")
    if feats is None:
        d = K
        E = pi[:]
        score = lambda y: [(arb(1) if k == y else arb(0)) - E[k] for k in range(d)]
    else:
        d = len(feats[0])
        rows = [[arb(x) for x in row] for row in feats]
        E = [arb(0)] * d
        for y in range(K):
            E = [e + pi[y] * x for e, x in zip(E, rows[y])]
        score = lambda y: [x - e for x, e in zip(rows[y], E)]
    grad = [arb(0)] * d
    norms2 = []
    mean_mu = [arb(0)] * d
    for y in range(K):
        sy = score(y)
        grad = [g + c[y] * x for g, x in zip(grad, sy)]
        mean_mu = [m + mu[y] * x for m, x in zip(mean_mu, sy)]
        norms2.append(sum((x * x for x in sy), arb(0)))
    grad = [2 * beta * g for g in grad]
    gnorm = root_nonnegative(sum((g * g for g in grad), arb(0)))
    D2 = 2 * sum((m * n for m, n in zip(mu, norms2)), arb(0)) - 2 * sum((m * m for m in mean_mu), arb(0))
    D = root_nonnegative(D2)
    G = max((root_nonnegative(n) for n in norms2), key=lambda x: x.mid())
    ftr = sum((p * n for p, n in zip(pi, norms2)), arb(0))
    delta = root_nonnegative(dis)
    bvals = {
        "B0": beta * D * delta,
        "B1": arb(2).sqrt() * beta * G * (root_nonnegative(pvp) + root_nonnegative(pvl)),
        "B2": arb(2).sqrt() * beta * G * root_nonnegative(pvl),
        "B3": 3 * beta * G * root_nonnegative(pvl, 3),
    }
    return dict(loss=loss, gradient=grad, gradientNorm=gnorm, pvarPolicy=pvp, pvarLabels=pvl,
                disagreement=delta, scoreSpread=D, scoreBound=G, fisherTrace=ftr, bounds=bvals)


def fmt(name, x):
    mid, rad = float(x.mid()), float(x.rad())
    if rad > MAX_RELATIVE_RADIUS * abs(mid) and rad > MAX_ABSOLUTE_RADIUS:
        sys.exit(f"large_reference.py: {name}: ball too wide ({x}); raise --prec")
    return x.mid().str(40, radius=False)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance")
    ap.add_argument("--processes", type=int, default=multiprocessing.cpu_count())
    ap.add_argument("--chunks", type=int, default=64)
    ap.add_argument("--prec", type=int, default=PREC)
    ap.add_argument("--compare", help="pvar evaluate's output for the same instance")
    args = ap.parse_args(argv)
    inst = load(args.instance)
    K = len(inst["reference"])
    # Chunks of about equal pair counts (row i has K - 1 - i pairs).
    bounds, total, done, start = [], K * (K - 1) / 2, 0.0, 0
    for m in range(1, args.chunks + 1):
        end = start
        while end < K and (m == args.chunks or done < total * m / args.chunks):
            done += K - 1 - end
            end += 1
        if m == args.chunks:
            end = K
        if end > start:
            bounds.append((start, end))
        start = end
    with multiprocessing.Pool(args.processes, initializer=init_worker, initargs=(args.instance, args.prec)) as pool:
        parts = pool.map(chunk, bounds, chunksize=1)
    out = finish(inst, parts, args.prec)
    result = {"file": args.instance}
    for key, v in out.items():
        if key == "gradient":
            result[key] = [fmt(f"gradient[{k}]", g) for k, g in enumerate(v)]
        elif key == "bounds":
            result[key] = {n: {"value": fmt(n, b), "ratio": fmt(n + " ratio", out["gradientNorm"] / b) if b != 0 else "inf"}
                           for n, b in v.items()}
        else:
            result[key] = fmt(key, v)
    if args.compare is None:
        print(json.dumps(result))
        return 0
    with open(args.compare) as f:
        ours = json.load(f)
    errors = relative_errors(result, ours)
    for name, err in errors:
        print(f"{name}: {err:.3e}")
    worst = max(errors, key=lambda e: e[1])
    print(f"worst relative error: {worst[1]:.3e} ({worst[0]}) over {len(errors)} outputs")
    return 0


def relative_errors(ref, ours):
    """(name, |pvar - reference| / |reference|) for every output both have (a gradient entry
    relative to the reference gradient norm; an exact 0 against 0 counts as 0)."""
    from fractions import Fraction
    from decimal import Decimal

    def err(x, y, scale=None):
        # pvar's numbers are doubles (exact as fractions); the reference's are 40-digit decimals.
        x, y = Fraction(float(x)) if not isinstance(x, str) else Fraction(Decimal(x)), Fraction(Decimal(y))
        s = abs(y) if scale is None else scale
        return 0.0 if x == y else float(abs(x - y) / s) if s != 0 else float("inf")

    out = []
    for key in ("loss", "gradientNorm", "pvarPolicy", "pvarLabels", "disagreement", "scoreSpread",
                "scoreBound", "fisherTrace"):
        if ours.get(key) is not None:
            out.append((key, err(ours[key], ref[key])))
    norm = Fraction(Decimal(ref["gradientNorm"]))
    for k, (x, y) in enumerate(zip(ours["gradient"], ref["gradient"])):
        out.append((f"gradient[{k}]", err(x, y, norm)))
    for name, b in ref["bounds"].items():
        out.append((f"{name} value", err(ours["bounds"][name]["value"], b["value"])))
        if b["ratio"] != "inf":
            out.append((f"{name} ratio", err(ours["bounds"][name]["ratio"], b["ratio"])))
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
