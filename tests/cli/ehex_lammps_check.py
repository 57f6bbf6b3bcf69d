"""Compare an ehex-gradient run with LAMMPS fix ehex from the same data file.

Usage: ehex_lammps_check.py DATA RESTART.nc THERMO LAMMPS.dump LAMMPS.thermo
       LABEL POS_TOL VEL_TOL E_RTOL

Atoms are matched by id (the data file's Atoms order is the restart's).
Positions are compared modulo the box (minimum image of the difference),
velocities directly; the thermo rows' pe, ke and etotal relative to their
size. Prints one "ok - ..." or "not ok - ..." line per quantity.
"""
import sys

import netCDF4
import numpy as np

from lmpdata import DataFile

(data, rst, thermo, dump, lthermo, label, ptol, vtol, ertol) = sys.argv[1:10]
ptol, vtol, ertol = float(ptol), float(vtol), float(ertol)


def dump_by_id(path):
    lines = open(path).read().split("\n")
    k = next(i for i, x in enumerate(lines) if x.startswith("ITEM: ATOMS"))
    rows = np.array([[float(v) for v in x.split()] for x in lines[k + 1:] if x.strip()])
    return {int(r[0]): r[1:] for r in rows}


def thermo_rows(path, names):
    """step -> [values of the columns NAMES], columns found by name in the
    "# step ..." header (units in brackets ignored), as DESIGN.md's tables
    are read."""
    out, cols = {}, None
    for line in open(path):
        w = line.split()
        if not w:
            continue
        if w[0] == "#":
            if len(w) > 1 and w[1] == "step":
                heads = [h.split("[")[0] for h in w[1:]]
                cols = [heads.index(n) for n in names]
            continue
        out[int(float(w[0]))] = [float(w[c]) for c in cols]
    return out


datafile = DataFile(data)
ids = [int(f[0]) for f in datafile.atoms()]  # the restart holds atoms in id order
box = np.array(datafile.lengths())
nc = netCDF4.Dataset(rst)
x = np.array(nc.variables["coordinates"][:], dtype=float)
v = np.array(nc.variables["velocities"][:], dtype=float)
ref = dump_by_id(dump)
rx = np.array([ref[i][0:3] for i in ids])
rv = np.array([ref[i][3:6] for i in ids])
dx = x - rx
dx -= box * np.round(dx / box)
fails = 0


def report(good, what):
    global fails
    print(("ok - " if good else "not ok - ") + label + ": " + what)
    fails += not good


pe = np.max(np.abs(dx))
report(pe <= ptol, "final positions equal LAMMPS's to %.2e (tolerance %g)" % (pe, ptol))
ve = np.max(np.abs(v - rv))
report(ve <= vtol, "final velocities equal LAMMPS's to %.2e (tolerance %g)" % (ve, vtol))
ours = thermo_rows(thermo, ["pe", "ke", "etotal"])
theirs = thermo_rows(lthermo, ["pe", "ke", "etotal"])
common = sorted(set(ours) & set(theirs))
worst = max(abs(a - b) / abs(b) for s in common for a, b in zip(ours[s], theirs[s]))
report(len(common) == len(theirs) and worst <= ertol,
       "pe, ke, etotal at %d thermo steps equal LAMMPS's to %.2e relative (tolerance %g)"
       % (len(common), worst, ertol))
sys.exit(0)
