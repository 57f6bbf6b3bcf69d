#!/usr/bin/python3
"""arrhenius_check.py gen D.txt DG.txt SEED: write a noisy D(T) table (two
species, water and urea, with D errors) and a noisy dG(T) table in kJ/mol.

arrhenius_check.py check OUT.txt D.txt DG.txt TEMP MS MV WEIGHTED KIND:
recompute arrhenius's rows with numpy/scipy, independently of soretkit,
and print "ok - ..." / "not ok - ..." per row. WEIGHTED 1: D errors used
(numpy.polyfit with weights D/err and the unscaled covariance: errors from
the given sigmas alone, as the man page says), 0: scipy.stats.linregress
(errors from the scatter). Ea = -R slope of ln D against 1/T, R = LAMMPS
real kB 0.0019872067 kcal/mol/K (DESIGN.md); Eq. 2, 4 and 1 of the paper
with errors propagated by numerical derivatives (the two Ea independent);
Eq. 1 from a line through G(T) = sign x dG (kJ/mol -> kcal/mol),
sign -1 for KIND desolvation."""
import math
import sys

import numpy as np
from scipy.stats import linregress

R = 0.0019872067
RTOL = 1e-8   # 10 printed digits


def gen(dpath, gpath, seed):
    rng = np.random.default_rng(seed)
    T = np.array([290.0, 305.0, 320.0, 335.0, 350.0, 365.0])
    with open(dpath, "w") as fp:
        fp.write("# species T[K] D[A^2/ps] D_err[A^2/ps]\n")
        for sp, ea, d0 in (("water", 4.2, 2.0e3), ("urea", 4.9, 3.5e3)):
            for t in T:
                d = d0 * math.exp(-ea / (R * t)) * (1 + 0.03 * rng.normal())
                fp.write("%s %g %.10g %.10g\n" % (sp, t, d, 0.02 * d * (1 + rng.uniform())))
    with open(gpath, "w") as fp:
        fp.write("# T[K] dG[kJ/mol] err[kJ/mol]\n")
        for t in T:
            fp.write("%g %.10g %.10g\n" % (t, -10 + 0.1 * (t - 300) + 0.05 * rng.normal(),
                                          0.03 + 0.02 * rng.uniform()))


def read(path):
    names, rows = None, []
    with open(path) as fp:
        for line in fp:
            if line.startswith("#"):
                last = line[1:]
                continue
            if names is None:
                names = [c.split("[")[0] for c in last.split()]
            rows.append(line.split())
    return names, rows


def fit(x, y, sy):
    """slope, err, intercept, err, chi2_red (NaN unweighted)"""
    if sy is not None:
        (b, a), cov = np.polyfit(x, y, 1, w=1.0 / sy, cov="unscaled")
        chi2 = np.sum(((y - a - b * x) / sy) ** 2)
        return b, math.sqrt(cov[0, 0]), a, math.sqrt(cov[1, 1]), chi2 / (len(x) - 2)
    r = linregress(x, y)
    return r.slope, r.stderr, r.intercept, r.intercept_stderr, float("nan")


def prop(f, vals, errs):
    """first-order error of f(vals) by central differences"""
    s = 0.0
    for i, (v, e) in enumerate(zip(vals, errs)):
        h = 1e-6 * max(abs(v), 1.0)
        up = list(vals); dn = list(vals)
        up[i] += h; dn[i] -= h
        s += ((f(*up) - f(*dn)) / (2 * h) * e) ** 2
    return math.sqrt(s)


def check(out, dpath, gpath, temp, ms, mv, weighted, kind):
    temp, ms, mv = float(temp), float(ms), float(mv)
    names, rows = read(dpath)
    want = {}
    ea = {}
    for sp in ("water", "urea"):
        r = [x for x in rows if x[0] == sp]
        T = np.array([float(x[names.index("T")]) for x in r])
        D = np.array([float(x[names.index("D")]) for x in r])
        De = np.array([float(x[names.index("D_err")]) for x in r])
        b, be, a, ae, c2 = fit(1 / T, np.log(D), De / D if weighted == "1" else None)
        ea[sp] = (-R * b, R * be)
        want[("Ea", sp, "kcal/mol")] = ea[sp]
        want[("Ea", sp, "kJ/mol")] = (4.184 * ea[sp][0], 4.184 * ea[sp][1])
        want[("lnD0", sp, None)] = (a, ae)
        if weighted == "1":
            want[("chi2_red", sp, None)] = (c2, None)
    (e2, s2), (e1, s1) = ea["urea"], ea["water"]
    eq2 = lambda a2, a1: (a2 - a1) / (R * temp ** 2)
    eq4 = lambda a2, a1: eq2(a2, a1) + (ms - mv) / (ms + mv) * (a2 + a1) / (R * temp ** 2)
    want[("S_T_eq2", "urea", None)] = (eq2(e2, e1), prop(eq2, [e2, e1], [s2, s1]))
    want[("S_T_eq4", "urea", None)] = (eq4(e2, e1), prop(eq4, [e2, e1], [s2, s1]))
    gn, gr = read(gpath)
    sign = -1.0 if kind == "desolvation" else 1.0
    T = np.array([float(x[0]) for x in gr])
    G = sign * np.array([float(x[1]) for x in gr]) / 4.184
    Ge = np.array([float(x[2]) for x in gr]) / 4.184
    g, ge, _, _, _ = fit(T, G, Ge)
    want[("dGdT", "dG", None)] = (g, ge)
    eq1 = lambda s: s / (R * temp)
    want[("S_T_eq1", "dG", None)] = (eq1(g), prop(eq1, [g], [ge]))

    got = {}
    with open(out) as fp:
        for line in fp:
            if line.startswith("#"):
                continue
            f = line.split()
            got[(f[0], f[1], f[4])] = (float(f[2]), float(f[3]))
            got.setdefault((f[0], f[1], None), (float(f[2]), float(f[3])))
    worst, where = 0.0, ""
    for k, (v, e) in want.items():
        if k not in got:
            print("not ok - row %s %s missing" % k[:2])
            continue
        gv, gee = got[k]
        for w, g_ in ((v, gv), (e, gee)):
            if w is None:
                continue
            d = abs(g_ - w) / abs(w)
            if d > worst:
                worst, where = d, "%s %s" % k[:2]
    print("%s - %d rows (value, error) equal numpy/scipy: max rel diff %.3g (%s; tol %g)"
          % ("ok" if worst <= RTOL else "not ok", len(want), worst, where, RTOL))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        check(*sys.argv[2:])
