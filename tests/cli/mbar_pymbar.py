"""Reference numbers from pymbar for mbar's tests and benchmark.

Reads the window tables of DESIGN.md (one per state, any order), builds
u_kn as mbar does and prints

    MBAR dG err
    BAR dG err        (neighbour pairs summed, errors in quadrature)
    EXP-FWD dG err
    EXP-BWD dG err
    seconds T         (wall time of pymbar's MBAR solve + differences)
    samples n_0 ... n_{K-1}   (samples used per state)

dG from state 0 to state K-1 in kT. Works with pymbar 3
(MBAR.getFreeEnergyDifferences, pymbar.BAR/EXP) and pymbar 4
(compute_free_energy_differences, other_estimators.bar/exp).
With --subsample, each window is first subsampled by pymbar's
statisticalInefficiency (mintime 3) of its dudl column (else of
u_{k+1} - u_k, u_{k-1} - u_k for the last state) and
subsampleCorrelatedData; --equilibrate first cuts the prefix found by
detectEquilibration (fast=False, about 100 origins), as mbar's defaults
and --equilibrate do. Without them every sample is used (mbar
--no-subsample).
Usage: /usr/bin/python3 mbar_pymbar.py [--subsample] [--equilibrate] WINDOW...
"""
import math
import sys
import time
import warnings

import numpy as np
import pymbar

warnings.simplefilter("ignore")


def read_window(path):
    state, names = None, None
    with open(path) as fp:
        for line in fp:
            if not line.startswith("#"):
                break
            body = line[1:].strip()
            if body.startswith("state:"):
                state = int(body.split(":", 1)[1])
            names = body.split()
    data = np.loadtxt(path, comments="#", ndmin=2)
    cols = [n.split("[")[0] for n in names]
    u = [cols.index("u_%d" % k) for k in range(sum(c.startswith("u_") for c in cols))]
    dudl = data[:, cols.index("dudl")] if "dudl" in cols else None
    return state, data[:, u], dudl


def ts_call(old, new, *args, **kw):
    from pymbar import timeseries as ts
    return getattr(ts, old if hasattr(ts, old) else new)(*args, **kw)


def select(wins, subsample, equilibrate):
    K = len(wins)
    out = []
    for k, (state, u, dudl) in enumerate(wins):
        nb = k + 1 if k + 1 < K else k - 1
        a = dudl if dudl is not None else u[:, nb] - u[:, k]
        t0, g = 0, None
        if equilibrate:
            T = len(a)
            t0, g, _ = ts_call("detectEquilibration", "detect_equilibration",
                               a, fast=False, nskip=(T + 99) // 100)
        if subsample:
            if g is None:
                g = ts_call("statisticalInefficiency", "statistical_inefficiency",
                            a, mintime=3)
            idx = ts_call("subsampleCorrelatedData", "subsample_correlated_data",
                          a[t0:], g=g)
            u = u[t0:][idx]
        else:
            u = u[t0:]
        out.append((state, u))
    return out


def main(argv):
    subsample = "--subsample" in argv
    equilibrate = "--equilibrate" in argv
    paths = [p for p in argv if p not in ("--subsample", "--equilibrate")]
    wins = select(sorted(read_window(p) for p in paths), subsample, equilibrate)
    K = len(wins)
    N_k = np.array([w[1].shape[0] for w in wins])
    u_kn = np.concatenate([w[1] for w in wins], axis=0).T.copy()
    t0 = time.perf_counter()
    m = pymbar.MBAR(u_kn, N_k)
    if hasattr(m, "compute_free_energy_differences"):
        r = m.compute_free_energy_differences()
        df, ddf = r["Delta_f"], r["dDelta_f"]
    else:
        df, ddf = m.getFreeEnergyDifferences()[:2]
    secs = time.perf_counter() - t0
    print("MBAR %.17g %.17g" % (df[0, K - 1], ddf[0, K - 1]))
    if hasattr(pymbar, "other_estimators"):
        bar = lambda f, r: tuple(pymbar.other_estimators.bar(f, r)[k] for k in ("Delta_f", "dDelta_f"))
        exp = lambda w: tuple(pymbar.other_estimators.exp(w)[k] for k in ("Delta_f", "dDelta_f"))
    else:
        bar = lambda f, r: pymbar.BAR(f, r)[:2]
        exp = lambda w: pymbar.EXP(w)[:2]
    tot = {"BAR": [0, 0], "EXP-FWD": [0, 0], "EXP-BWD": [0, 0]}
    for k in range(K - 1):
        a, b = wins[k][1], wins[k + 1][1]
        wF = a[:, k + 1] - a[:, k]
        wR = b[:, k] - b[:, k + 1]
        for name, (d, e) in (("BAR", bar(wF, wR)), ("EXP-FWD", exp(wF)),
                             ("EXP-BWD", exp(wR))):
            tot[name][0] += -d if name == "EXP-BWD" else d
            tot[name][1] += e * e
    for name in ("BAR", "EXP-FWD", "EXP-BWD"):
        print("%s %.17g %.17g" % (name, tot[name][0], math.sqrt(tot[name][1])))
    print("seconds %.6f" % secs)
    print("samples " + " ".join(str(n) for n in N_k))


if __name__ == "__main__":
    main(sys.argv[1:])
