#!/usr/bin/python3
"""profile_check.py --make-traj DATA OUT.nc NFRAMES SEED: write a synthetic
real-units trajectory of DATA (see make_traj).

profile_check.py DATA TRAJ.nc PROFILE.txt UNITS AXIS BINS BLOCKS DOF
[SOLUTE SOLVENT CONC]: recompute profile-bin's table from the trajectory
(netCDF4) and the data file with numpy, independently of soretkit, from the
definitions of profile.h / notes/algorithms.md 2.1-2.3, and print one
"ok - ..." / "not ok - ..." line per column with the largest relative
difference. SOLUTE/SOLVENT are comma lists of atom types ("-" for none),
CONC molefrac|molality|density.

Definitions recomputed here: slab k of N holds s = (x - lo)/L wrapped into
[0, 1), lo = (data-file box centre) - L(t)/2; T_k = sum_f sum_i m|v - V_k,f|^2
/ (kB sum_f (D N_k,f - 3)), V_k,f the slab's centre-of-mass velocity in
frame f; molecules (data-file molecule ids; atomic styles: one atom each)
binned by their centre of mass along the axis, made whole by the minimum
image to their lowest-id atom; errors: standard error over B contiguous
blocks of frames. Real units use LAMMPS's kB = 0.0019872067 kcal/mol/K
(DESIGN.md: LAMMPS constants), and the kinetic energy converted from
g/mol (A/ps)^2 through SI (1 g/mol A^2/ps^2 = 10 J/mol, 4184 J/kcal), not
through soretkit's mvv2e."""
import sys

import numpy as np
from netCDF4 import Dataset

from lmpdata import DataFile

KB_REAL = 0.0019872067
RTOL = 1e-9   # the table carries 10 significant digits


def read_data(path):
    d = DataFile(path)
    atoms = d.atoms()
    style = d.styles.get("Atoms")
    if style is None:
        style = "full" if len(atoms[0]) in (7, 10) else "atomic"
    if style == "full":
        mol = np.array([int(a[1]) for a in atoms])
        typ = np.array([int(a[2]) for a in atoms])
    else:
        mol = np.zeros(len(atoms), int)
        typ = np.array([int(a[1]) for a in atoms])
    masses = d.per_type("Masses")
    mass = np.array([masses[t] for t in typ])
    return typ, mol, mass, d.box


def make_traj(data, out, nframes, seed):
    """A real-units AMBER trajectory of the data file's system: each frame
    moves every molecule rigidly by a random shift (atoms then wrapped one
    by one, so molecules straddle the box faces), velocities Gaussian plus a
    z-dependent drift (the slab COM velocity matters), box lengths varied by
    up to 1% (the grid follows L(t) about the fixed centre)."""
    rng = np.random.default_rng(seed)
    typ, mol, mass, box = read_data(data)
    n = len(typ)
    pos = np.zeros((n, 3))
    with open(data) as fp:
        lines = fp.read().split("\n")
    i0 = next(i for i, l in enumerate(lines) if l.startswith("Atoms"))
    rows = []
    for l in lines[i0 + 1:]:
        f = l.split("#")[0].split()
        if not f:
            if rows:
                break
            continue
        rows.append(f)
    rows.sort(key=lambda r: int(r[0]))
    for i, r in enumerate(rows):
        pos[i] = [float(r[4]), float(r[5]), float(r[6])]
    L0 = np.array([box[c][1] - box[c][0] for c in "xyz"])
    lo0 = np.array([box[c][0] for c in "xyz"])
    uniq, inv = np.unique(np.where(mol > 0, mol, -np.arange(n) - 1),
                          return_inverse=True)
    nc = Dataset(out, "w", format="NETCDF3_64BIT_OFFSET")
    nc.Conventions = "AMBER"
    nc.ConventionVersion = "1.0"
    nc.program = "profile_check.py"
    nc.programVersion = "1"
    nc.createDimension("frame", None)
    nc.createDimension("spatial", 3)
    nc.createDimension("atom", n)
    nc.createDimension("cell_spatial", 3)
    nc.createDimension("cell_angular", 3)
    nc.createDimension("label", 5)
    sp = nc.createVariable("spatial", "c", ("spatial",))
    sp[:] = np.array(list("xyz"))
    cs = nc.createVariable("cell_spatial", "c", ("cell_spatial",))
    cs[:] = np.array(list("abc"))
    ca = nc.createVariable("cell_angular", "c", ("cell_angular", "label"))
    ca[:] = np.array([list("alpha"), list("beta "), list("gamma")])
    tm = nc.createVariable("time", "f4", ("frame",))
    tm.units = "picosecond"
    co = nc.createVariable("coordinates", "f4", ("frame", "atom", "spatial"))
    co.units = "angstrom"
    ve = nc.createVariable("velocities", "f4", ("frame", "atom", "spatial"))
    ve.units = "angstrom/picosecond"
    cl = nc.createVariable("cell_lengths", "f8", ("frame", "cell_spatial"))
    cl.units = "angstrom"
    cg = nc.createVariable("cell_angles", "f8", ("frame", "cell_angular"))
    cg.units = "degree"
    for f in range(nframes):
        L = L0 * (1 + 0.01 * rng.uniform(-1, 1, 3))
        lo = lo0 + 0.5 * (L0 - L)
        shift = rng.uniform(-3, 3, (len(uniq), 3))[inv]
        x = pos + shift
        x = lo + (x - lo) % L
        vel = rng.normal(0, np.sqrt(0.0019872067 * 300 / mass / 10 * 4184)[:, None]
                         / 1, (n, 3))
        vel[:, 0] += 2.0 * np.sin(2 * np.pi * x[:, 2] / L[2])
        tm[f] = f
        co[f] = x
        ve[f] = vel
        cl[f] = L
        cg[f] = [90.0, 90.0, 90.0]
    nc.close()


def main():
    a = sys.argv[1:]
    if a[0] == "--make-traj":
        make_traj(a[1], a[2], int(a[3]), int(a[4]))
        return
    data, traj, prof, units, axis = a[0], a[1], a[2], a[3], "xyz".index(a[4])
    nb, B, dof_atom = int(a[5]), int(a[6]), float(a[7])
    types = lambda s: set() if s == "-" else {int(t) for t in s.split(",")}
    solute = types(a[8]) if len(a) > 8 else set()
    solvent = types(a[9]) if len(a) > 9 else set()
    conc = a[10] if len(a) > 10 else ("molefrac" if solute else None)
    typ, mol, mass, box = read_data(data)
    n, ntype = len(typ), int(typ.max())
    lo_d, hi_d = box["xyz"[axis]]
    centre = 0.5 * (lo_d + hi_d)

    with Dataset(traj) as nc:
        x = np.array(nc.variables["coordinates"][:], dtype=float)
        v = np.array(nc.variables["velocities"][:], dtype=float)
        cell = np.array(nc.variables["cell_lengths"][:], dtype=float)
        vunit = nc.variables["velocities"].units
    F = x.shape[0]
    if units == "real":
        # KE in kcal/mol from g/mol and A/ps (or A/fs in LAMMPS files)
        vs = {"angstrom/picosecond": 1.0, "angstrom/femtosecond": 1000.0}[vunit]
        mvv2e, kb = 10.0 / 4184.0 * vs * vs, KB_REAL
    else:
        mvv2e, kb = 1.0, 1.0

    # molecules: id 0 or atomic -> one atom each
    key = np.where(mol > 0, mol, -np.arange(n) - 1)
    groups = {}
    for i in range(n):
        groups.setdefault(key[i], []).append(i)
    mols = []
    for g in groups.values():
        g = sorted(g)
        st = {typ[i] for i in g}
        kind = 1 if st & solute else 2 if st & solvent else 0
        if kind:
            mols.append((np.array(g), kind))

    blk = np.arange(F) * B // F
    ke = np.zeros((B, nb)); dof = np.zeros((B, nb))
    ns = np.zeros((B, nb)); nv = np.zeros((B, nb)); mv = np.zeros((B, nb))
    nat = np.zeros((B, nb, ntype)); vol = np.zeros(B); Lsum = 0.0
    for f in range(F):
        b = blk[f]
        L = cell[f, axis]
        lo = centre - 0.5 * L
        Lsum += L
        vol[b] += np.prod(cell[f]) / nb

        def binof(q):
            s = (q - lo) / L
            s -= np.floor(s)
            return np.minimum((s * nb).astype(int), nb - 1)
        k = binof(x[f, :, axis])
        for j in range(nb):
            sel = k == j
            cnt = sel.sum()
            for t in range(ntype):
                nat[b, j, t] += np.sum(typ[sel] == t + 1)
            d = dof_atom * cnt - 3
            if cnt < 2 or d <= 0:
                continue
            m = mass[sel]
            V = (m[:, None] * v[f, sel]).sum(0) / m.sum()
            ke[b, j] += mvv2e * np.sum(m * ((v[f, sel] - V) ** 2).sum(1))
            dof[b, j] += d
        for g, kind in mols:
            q = x[f, g, axis]
            dq = q - q[0]
            dq -= L * np.rint(dq / L)
            j = binof(q[0] + np.sum(mass[g] * dq) / mass[g].sum())
            if kind == 1:
                ns[b, j] += 1
            else:
                nv[b, j] += 1
                mv[b, j] += mass[g].sum()

    with np.errstate(divide="ignore", invalid="ignore"):
        def cof(s, w, mw, vv):
            if conc == "molefrac":
                return s / (s + w)
            if conc == "molality":
                return s * 1000.0 / mw
            return s / vv

        def sem(vals):
            vals = vals[np.isfinite(vals)]
            if len(vals) < 2:
                return np.nan
            return vals.std(ddof=1) / np.sqrt(len(vals))
        Tb = ke / (kb * dof)
        T = ke.sum(0) / (kb * dof.sum(0))
        Terr = np.array([sem(Tb[:, j]) for j in range(nb)])
        want = {"T": T, "T_err": Terr}
        Lm = Lsum / F
        want["z"] = centre - 0.5 * Lm + (np.arange(nb) + 0.5) * Lm / nb
        if conc:
            cb = cof(ns, nv, mv, vol[:, None])
            want["c"] = cof(ns.sum(0), nv.sum(0), mv.sum(0), vol.sum())
            want["c_err"] = np.array([sem(cb[:, j]) for j in range(nb)])
            want["n_solute"] = ns.sum(0) / F
            want["n_solvent"] = nv.sum(0) / F
        for t in range(ntype):
            want["rho_%d" % (t + 1)] = nat[:, :, t].sum(0) / vol.sum()

    names = None
    with open(prof) as fp:
        for line in fp:
            if line.startswith("# bin "):
                names = [c.split("[")[0] for c in line[2:].split()]
    got = np.loadtxt(prof, ndmin=2)
    if got.shape[0] != nb:
        print("not ok - %d rows, want %d" % (got.shape[0], nb))
        return
    fails = 0
    for name, w in want.items():
        if name not in names:
            print("not ok - column %s missing" % name)
            fails += 1
            continue
        g = got[:, names.index(name)]
        both_nan = np.isnan(g) & np.isnan(w)
        scale = np.maximum(np.abs(w), 1e-300)
        rel = np.where(both_nan, 0.0, np.abs(g - w) / scale)
        # values that are 0 in both compare absolutely
        rel = np.where((w == 0) & (g == 0), 0.0, rel)
        worst = np.nanmax(np.where(np.isnan(rel), np.inf, rel))
        okk = worst <= RTOL
        fails += not okk
        print("%s - %s: numpy recomputation, max rel diff %.3g (tol %g)"
              % ("ok" if okk else "not ok", name, worst, RTOL))
    extra = [c for c in names if c not in want and c != "bin"]
    if extra:
        print("not ok - columns not checked: %s" % " ".join(extra))


if __name__ == "__main__":
    main()
