#!/usr/bin/env python3
"""Check the compiled Coq development: no Admitted/admit/Axiom, and every main theorem
(`Theorem NAME` in a file listed in _CoqProject) rests on no axiom beyond allowed-axioms.txt.

    python3 check.py              check this directory (after `make coq` compiled it)
    python3 check.py --self-test  show that the check fails on a planted `Admitted`, a planted
                                  axiom and a theorem that uses a classical axiom

Prints one line per theorem and exits 1 on any failure, naming the file and the theorem."""
import os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FORBIDDEN = re.compile(r"\b(Admitted|admit|Axiom|Axioms|Parameter|Parameters|Conjecture|Abort)\b")


def project(directory):
    lines = [l.strip() for l in open(os.path.join(directory, "_CoqProject")).read().split("\n")]
    files = [l for l in lines if l.endswith(".v")]
    flags = [l.split()[-1] for l in lines if l.startswith("-arg")]
    warnings = ",".join(f for f in flags if f.startswith("-") and f != "-w")
    return files, warnings


def check(directory, allowed, verbose=True):
    """Returns the list of failures for the compiled development in `directory`."""
    files, warnings = project(directory)
    failures, theorems = [], []
    for f in files:
        code = re.sub(r"\(\*.*?\*\)", "", open(os.path.join(directory, f)).read(), flags=re.S)
        for line in code.split("\n"):
            if FORBIDDEN.search(line):
                failures.append(f"{f}: forbidden keyword in: {line.strip()}")
        theorems += [f"PVar.{f[:-2]}.{m}" for m in re.findall(r"^\s*Theorem\s+([A-Za-z0-9_']+)", code, re.M)]
    if not theorems:
        return failures + ["no Theorem found in the development"]
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "Assumptions.v")
        with open(script, "w") as out:
            out.write("From PVar Require " + " ".join(f[:-2] for f in files) + ".\n")
            out.writelines(f"Print Assumptions {t}.\n" for t in theorems)
        run = subprocess.run(["coqc", "-R", directory, "PVar", "-w", warnings or "none", script],
                             capture_output=True, text=True)
    if run.returncode != 0:
        return failures + ["coqc failed on the assumption script (is the development compiled?):\n"
                           + run.stdout + run.stderr]
    # One block per `Print Assumptions`, in order: "Closed under the global context" or "Axioms:" + list.
    blocks = [b for b in re.split(r"(?=^Closed under the global context$)|(?=^Axioms:$)", run.stdout, flags=re.M)
              if b.strip()]
    if len(blocks) != len(theorems):
        return failures + [f"expected {len(theorems)} assumption reports, got {len(blocks)}:\n{run.stdout}"]
    for t, b in zip(theorems, blocks):
        if b.startswith("Closed under the global context"):
            if verbose:
                print(f"{t}: closed under the global context")
            continue
        axioms = re.findall(r"^(\S+) :", b, re.M)
        if verbose:
            print(f"{t}: axioms {', '.join(axioms)}")
        bad = [a for a in axioms if a not in allowed]
        if bad:
            failures.append(f"{t} rests on axioms not in allowed-axioms.txt: {', '.join(bad)}")
    if verbose:
        print(f"coq check: {len(theorems)} theorems in {len(files)} files")
    return failures


def allowed_axioms():
    return {l.strip() for l in open(os.path.join(HERE, "allowed-axioms.txt"))
            if l.strip() and not l.startswith("#")}


def self_test():
    """Plants each kind of defect in a scratch copy and requires the check to report it."""
    planted = {
        "admitted": ("Theorem t : 1 = 1.\nProof.\nAdmitted.\n", "forbidden keyword"),
        "axiom": ("Axiom cheat : False.\nTheorem t : 1 = 2.\nProof. case cheat. Qed.\n", "forbidden keyword"),
        "classical": ("From Coq Require Import Classical.\nTheorem t : forall P, P \\/ ~ P.\nProof. exact classic. Qed.\n",
                      "Classical_Prop.classic"),
        "clean": ("Theorem t : 1 = 1.\nProof. reflexivity. Qed.\n", None),
    }
    ok = True
    for name, (text, expected) in planted.items():
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "_CoqProject"), "w") as p:
                p.write("-R . PVar\nPlanted.v\n")
            with open(os.path.join(tmp, "Planted.v"), "w") as v:
                v.write(text)
            subprocess.run(["coqc", "-R", tmp, "PVar", os.path.join(tmp, "Planted.v")],
                           capture_output=True, text=True, check=True, cwd=tmp)
            failures = check(tmp, allowed=set(), verbose=False)
            caught = any(expected in f for f in failures) if expected else not failures
            print(f"coq check self-test: {name}: {'ok' if caught else 'NOT CAUGHT'} ({'; '.join(failures) or 'no failure'})")
            ok &= caught
    return ok


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(0 if self_test() else 1)
    failures = check(HERE, allowed_axioms())
    for f in failures:
        print("coq check: " + f, file=sys.stderr)
    sys.exit(1 if failures else 0)
