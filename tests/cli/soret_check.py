#!/usr/bin/python3
"""soret_check.py FIT.txt COLD HOT MARGIN TEMP PROFILE...: recompute
soret-fit's per-replica columns from the profiles with numpy/scipy, independently
of soretkit, and print "ok - ..." / "not ok - ..." per replica and column.
COLD, HOT as LO:HI; TEMP measured|linear.

Definitions (soret.h, man soret-fit): the periodic extent from the
profile's axis_lo/axis_len provenance; window A from cold_hi + margin to
hot_lo - margin, B from hot_hi + margin to cold_lo - margin, through the
periodic boundary; a slab is fitted when [z - h, z + h] (h = half the
extent over the rows) lies in the window. T(z) and then ln c(T) are
straight lines fitted by numpy.polyfit with weights 1/T_err, resp.
c/c_err, and the unscaled covariance, when every one in the window is
positive, else by scipy.stats.linregress; weighted slope errors are scaled by
sqrt(chi2/(n-2)) when that exceeds 1. S_T = -slope, R^2 = 1 - SSR/SST of
the T(z) fit; TEMP linear regresses on the T(z) line and adds the relative
error of dT/dz in quadrature. A replica's S_T is the mean of its windows,
the error half the quadrature sum."""
import math
import sys

import numpy as np
from scipy.stats import linregress

RTOL = 1e-8   # 10 printed digits; the fits are well conditioned here


def read_table(path):
    meta, names, rows = {}, None, []
    with open(path) as fp:
        for line in fp:
            if line.startswith("#"):
                body = line[1:].strip()
                if ": " in body and names is None and not rows:
                    k, _, v = body.partition(": ")
                    meta.setdefault(k, v)
                last = body
                continue
            if names is None:
                names = [c.split("[")[0] for c in last.split()]
            rows.append(line.split())
    return meta, names, rows


def line(x, y, sig):
    """slope, its error, intercept, fitted values"""
    n = len(x)
    if sig is not None:
        (b, a), cov = np.polyfit(x, y, 1, w=1.0 / sig, cov="unscaled")
        chi2 = np.sum(((y - a - b * x) / sig) ** 2)
        se = math.sqrt(cov[0, 0]) * max(1.0, math.sqrt(chi2 / (n - 2)))
        return b, se, a
    r = linregress(x, y)
    return r.slope, r.stderr, r.intercept


def window(z, T, Terr, c, cerr, lo, length, wlo, whi, tlinear):
    h = 0.5 * length / len(z)
    wl = (whi - wlo) % length
    u = (z - wlo) % length
    sel = (u - h >= -1e-9 * length) & (u + h <= wl + 1e-9 * length)
    x = wlo + u[sel]
    t, lc = T[sel], np.log(c[sel])
    te = Terr[sel] if Terr is not None else None
    ts = te if te is not None and np.all(te > 0) else None
    g, gse, g0 = line(x, t, ts)
    fit = g0 + g * x
    r2 = 1 - np.sum((t - fit) ** 2) / np.sum((t - t.mean()) ** 2)
    ce = cerr[sel] / c[sel] if cerr is not None else None
    cs = ce if ce is not None and np.all(ce > 0) else None
    s, sse, _ = line(fit if tlinear else t, lc, cs)
    st = -s
    err = math.hypot(sse, st * gse / abs(g)) if tlinear else sse
    return {"S_T": st, "S_T_err": err, "dTdz": g, "R2": r2,
            "nslab": float(sel.sum())}


def main():
    fitp, cold, hot, margin, temp = sys.argv[1:6]
    cold = [float(v) for v in cold.split(":")]
    hot = [float(v) for v in hot.split(":")]
    m = float(margin)
    _, fnames, frows = read_table(fitp)
    fails = 0
    for prof in sys.argv[6:]:
        meta, names, rows = read_table(prof)
        a = np.array([[float(v) for v in r] for r in rows])
        col = lambda k: a[:, names.index(k)] if k in names else None
        lo, length = float(meta["axis_lo"]), float(meta["axis_len"])
        res = {}
        for k, (wlo, whi) in (("A", (cold[1] + m, hot[0] - m)),
                              ("B", (hot[1] + m, cold[0] - m))):
            w = window(col("z"), col("T"), col("T_err"), col("c"),
                       col("c_err"), lo, length, wlo, whi, temp == "linear")
            for q, v in w.items():
                res["%s_%s" % (q, k) if q != "S_T" and q != "S_T_err"
                    else q.replace("S_T", "S_T_" + k)] = v
        res["S_T"] = 0.5 * (res["S_T_A"] + res["S_T_B"])
        res["S_T_err"] = 0.5 * math.hypot(res["S_T_A_err"], res["S_T_B_err"])
        row = next(r for r in frows if r[0] == prof)
        worst, where = 0.0, ""
        for q, v in res.items():
            got = float(row[fnames.index(q)])
            d = abs(got - v) / max(abs(v), 1e-300)
            if d > worst:
                worst, where = d, q
        good = worst <= RTOL
        fails += not good
        print("%s - %s: %d columns equal scipy, max rel diff %.3g (%s; tol %g)"
              % ("ok" if good else "not ok", prof, len(res), worst, where, RTOL))


if __name__ == "__main__":
    main()
