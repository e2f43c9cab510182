"""The polynomial coefficients of the C pair kernel (Sources/CPairKernel/pair_kernel.c), reproduced.

Near-minimax (Chebyshev interpolation, mpmath.chebyfit at 50 digits) polynomials of degree 7 in y:
- tanh(x/2) / x  as p(y), y = x^2 in [0, 1/4]   (|x| <= 1/2, the kernel's series threshold);
- atanh(s) / s   as q(y), y = s^2 in [0, (3 - 2 sqrt 2)^2]   (log1p(u) = [log 2] + 2 s q(s^2)).
Prints each polynomial's fitted (absolute) error, the worst relative error of the rounded
coefficients evaluated in double precision on a grid, and the coefficients (lowest degree first).

Usage: python3 Tests/Reference/kernel_polynomials.py   (needs mpmath)
"""
import mpmath as mp

mp.mp.dps = 50


def fit(f, b, n):
    coefficients, error = mp.chebyfit(f, [0, b], n, error=True)
    return [float(c) for c in coefficients[::-1]], error


def worst_relative_error(f, b, c, points=4000):
    worst = 0
    for i in range(points + 1):
        y = float(b) * i / points
        p = 0.0
        for cc in reversed(c):
            p = p * y + cc
        exact = f(mp.mpf(y))
        worst = max(worst, abs((mp.mpf(p) - exact) / exact))
    return worst


half_tanh = lambda y: mp.tanh(mp.sqrt(y) / 2) / mp.sqrt(y) if y != 0 else mp.mpf(1) / 2
atanh_ratio = lambda y: mp.atanh(mp.sqrt(y)) / mp.sqrt(y) if y != 0 else mp.mpf(1)

for name, f, b in [("tanh(x/2)/x", half_tanh, mp.mpf(1) / 4), ("atanh(s)/s", atanh_ratio, (3 - 2 * mp.sqrt(2)) ** 2)]:
    c, error = fit(f, b, 8)
    print(f"{name}: 8 coefficients, fitted error {float(error):.3g}, "
          f"worst relative error in doubles {float(worst_relative_error(f, b, c)):.3g}")
    print("  " + ", ".join(repr(x) for x in c))
