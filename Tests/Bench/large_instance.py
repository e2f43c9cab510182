#!/usr/bin/env python3
"""Writes a large instance file for `make bench`'s end-to-end timings of `pvar evaluate`.

The family of `pvar bench` (`benchInstance` in Sources/PVarGSL/BenchInstance.swift), drawn here
with Python's seeded generator: features N(0, 1) (K x d), theta N(0, 2.4^2 / d) (logits with
standard deviation about 2.4), beta 1/2, the uniform reference, rewards N(0, 1), pairs from the
policy. Every number is written with repr (shortest round-trip form).

Usage: python3 Tests/Bench/large_instance.py K d [seed] > instance.json
"""
import random
import sys


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    k, d = int(argv[0]), int(argv[1])
    rng = random.Random(int(argv[2]) if len(argv) == 3 else 1)
    out = sys.stdout
    out.write('{"beta": 0.5, "features": [')
    out.write(", ".join("[" + ", ".join(repr(rng.gauss(0, 1)) for _ in range(d)) + "]" for _ in range(k)))
    out.write('], "theta": [' + ", ".join(repr(rng.gauss(0, 2.4 / d ** 0.5)) for _ in range(d)) + "]")
    out.write(', "reference": [' + ", ".join([repr(1.0 / k)] * k) + "]")
    out.write(', "rewards": [' + ", ".join(repr(rng.gauss(0, 1)) for _ in range(k)) + '], "pairs": "policy"}\n')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
