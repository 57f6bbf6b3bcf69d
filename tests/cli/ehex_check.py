#!/usr/bin/python3
"""ehex_check.py DATA START.rst HEX.rst EHEX.rst COLD HOT FLUX DT RC [THERMO]:
one step of ehex-gradient (LJ units, atomic LJ data file, geometric
mixing) redone in numpy, independently of soretkit, from START.rst (double
precision restart) and compared with the tool's restarts after one step of
plain HEX (--hex) and of eHEX. Prints "ok - ..." / "not ok - ..." lines.

The step (notes/algorithms.md 1.2-1.3, LAMMPS fix ehex, eHEX/a):
velocity Verlet with all-pairs minimum-image LJ forces (lj/cut, r < RC);
then for the cold slab (flux -FLUX) and the hot slab (+FLUX), atoms whose
wrapped z is in [z0, z1) at the new positions: v_G, K_G = 1/2 sum m v^2 -
1/2 M v_G^2, xi = sqrt(1 + F dt/K_G), v <- v_G + xi (v - v_G); eHEX first
moves r -= dt^3 eps with paper Eq. 20,
eps_i = F/(2 K^2) (F/48 + S_r/6)(v_i - v_G) - F/(12 K)(f_i/m_i - F_G/M_G),
S_r = sum f.(v - v_G), from the pre-rescale velocities and new forces.

Checked: HEX positions and velocities equal numpy's; the kinetic energy
(about each slab's COM velocity) added to the hot slab and removed from
the cold one, tool's velocities after minus numpy's before, equals
FLUX dt; each slab's and the total momentum are unchanged by the exchange
and total momentum is conserved over the step; eHEX velocities equal
HEX's; x_eHEX - x_HEX equals -dt^3 eps; with THERMO (the eHEX run's thermo
table), its last t_cold, t_hot equal the slab temperatures of EHEX.rst
(3N - 3 degrees of freedom, slab COM velocity removed)."""
import sys

import numpy as np
from netCDF4 import Dataset

from lmpdata import DataFile


def read_data(path):
    d = DataFile(path)
    masses, pair = d.per_type("Masses"), d.per_type("Pair Coeffs", (1, 2))
    typ = np.array([int(f[1]) for f in d.atoms()])
    mass = np.array([masses[t] for t in typ])
    eps = np.array([pair[t][0] for t in typ])
    sig = np.array([pair[t][1] for t in typ])
    return mass, eps, sig


def read_rst(path):
    with Dataset(path) as nc:
        x = np.array(nc.variables["coordinates"][:], dtype=float)
        v = np.array(nc.variables["velocities"][:], dtype=float)
        L = np.array(nc.variables["cell_lengths"][:], dtype=float)
    return x, v, L


def forces(x, L, eps, sig, rc):
    n = len(x)
    f = np.zeros_like(x)
    for i in range(n - 1):
        d = x[i] - x[i + 1:]
        d -= L * np.rint(d / L)
        r2 = (d * d).sum(1)
        e = np.sqrt(eps[i] * eps[i + 1:])
        s2 = sig[i] * sig[i + 1:]
        m = r2 < rc * rc
        sr6 = (s2[m] ** 2 / r2[m]) ** 3
        fr = (24 * e[m] * (2 * sr6 * sr6 - sr6) / r2[m])[:, None] * d[m]
        f[i] += fr.sum(0)
        f[i + 1:][m] -= fr
    return f


def report(good, what):
    print("%s - %s" % ("ok" if good else "not ok", what))
    return not good


def main():
    a = sys.argv[1:]
    thermo = a[9] if len(a) > 9 else None
    mass, eps, sig = read_data(a[0])
    x0, v0, L = read_rst(a[1])
    xh, vh, _ = read_rst(a[2])
    xe, ve, _ = read_rst(a[3])
    slabs = [[float(t) for t in s.split(":")] for s in (a[4], a[5])]
    flux, dt, rc = float(a[6]), float(a[7]), float(a[8])
    lo_z = 0.0   # box-init boxes start at 0
    m3 = mass[:, None]

    f0 = forces(x0, L, eps, sig, rc)
    vhalf = v0 + 0.5 * dt * f0 / m3
    x1 = x0 + dt * vhalf
    f1 = forces(x1, L, eps, sig, rc)
    v1 = vhalf + 0.5 * dt * f1 / m3

    vhex, dx = v1.copy(), np.zeros_like(x1)
    heat, pslab = [], []
    for (z0, z1), F in zip(slabs, (-flux, flux)):
        z = x1[:, 2] - L[2] * np.floor((x1[:, 2] - lo_z) / L[2])
        s = (z >= z0) & (z < z1)
        M = mass[s].sum()
        vg = (m3[s] * v1[s]).sum(0) / M
        K = 0.5 * np.sum(m3[s] * v1[s] ** 2) - 0.5 * M * vg @ vg
        xi = np.sqrt(1 + F * dt / K)
        fg = f1[s].sum(0)
        sr = np.sum(f1[s] * (v1[s] - vg))
        epsi = (F / (2 * K * K) * (F / 48 + sr / 6) * (v1[s] - vg)
                - F / (12 * K) * (f1[s] / m3[s] - fg / M))
        dx[s] = -dt ** 3 * epsi
        vhex[s] = vg + xi * (v1[s] - vg)
        # heat from the tool's velocities after the exchange
        vga = (m3[s] * vh[s]).sum(0) / M
        Ka = 0.5 * np.sum(m3[s] * vh[s] ** 2) - 0.5 * M * vga @ vga
        heat.append((Ka - K, F * dt, s.sum()))
        pslab.append(np.abs((m3[s] * vh[s]).sum(0) - M * vg).max())

    def mi(d):   # restarts hold positions wrapped into the box
        return d - L * np.rint(d / L)
    bad = 0
    ex, ev = np.abs(mi(xh - x1)).max(), np.abs(vh - vhex).max()
    bad += report(ex < 1e-11 and ev < 1e-11,
                  "HEX step equals numpy: max |dx| %.2g, |dv| %.2g (tol 1e-11)" % (ex, ev))
    for name, (dk, want, n) in zip(("cold", "hot"), heat):
        rel = abs(dk - want) / abs(want)
        bad += report(rel < 1e-9, "kinetic energy exchanged in the %s slab "
                      "(%d atoms) %.12g = flux dt %.12g: rel diff %.2g (tol 1e-9)"
                      % (name, n, dk, want, rel))
    dp = max(pslab)
    bad += report(dp < 1e-11, "each slab's momentum unchanged by the "
                  "exchange: max diff %.2g (tol 1e-11)" % dp)
    pt = np.abs((m3 * vh).sum(0) - (m3 * v0).sum(0)).max()
    bad += report(pt < 1e-11, "total momentum conserved over the step: "
                  "max diff %.2g (tol 1e-11)" % pt)
    evv = np.abs(ve - vh).max()
    bad += report(evv < 1e-11, "eHEX velocities equal HEX's: max diff %.2g" % evv)
    scale = np.abs(dx).max()
    ed = np.abs(mi(xe - xh) - dx).max() / scale
    bad += report(scale > 0 and ed < 1e-5, "eHEX position correction equals "
                  "-dt^3 eps (paper Eq. 20): max |dt^3 eps| %.3g, max diff %.2g "
                  "of it (tol 1e-5: x carries ~1e-15 x 10 absolute)" % (scale, ed))

    if thermo:   # t_cold, t_hot of the last thermo row: 3N - 3 DOF, COM removed
        rows = [l.split() for l in open(thermo) if not l.startswith("#")]
        names = [l[1:].split() for l in open(thermo) if l.startswith("# step")][0]
        names = [c.split("[")[0] for c in names]
        for name, (z0, z1) in zip(("t_cold", "t_hot"), slabs):
            z = xe[:, 2] - L[2] * np.floor((xe[:, 2] - lo_z) / L[2])
            s = (z >= z0) & (z < z1)
            M = mass[s].sum()
            vg = (m3[s] * ve[s]).sum(0) / M
            T = np.sum(m3[s] * (ve[s] - vg) ** 2) / (3 * s.sum() - 3)
            got = float(rows[-1][names.index(name)])
            rel = abs(got - T) / T
            bad += report(rel < 1e-9, "thermo %s %.10g = numpy %.10g from the "
                          "restart: rel diff %.2g (tol 1e-9)" % (name, got, T, rel))


if __name__ == "__main__":
    main()
