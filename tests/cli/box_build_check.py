#!/usr/bin/python3
"""box_build_check.py FILE.data MINDIST NSOLVENT_MOLS SOLUTE_FIRST_MOL NLAYERS TOL:
checks of a box-build output, printed as "ok - ..." / "not ok - ..." lines:
net charge 0 to 1e-6 e; every molecule's atoms consecutive; no two atoms of
different molecules closer than MINDIST (minimum image, cell list);
solute molecules SOLUTE_FIRST_MOL.. (NLAYERS of them) one per equal-height
z layer of [TOL/2, LZ - TOL/2], in order of molecule id, judged by the
atom nearest the molecule's centre of geometry as in the template; every
atom inside [0, L); image flags 0."""
import math
import sys

from lmpdata import DataFile


def read(path):
    d = DataFile(path)
    atoms = [(int(f[0]), int(f[1]), int(f[2]), float(f[3]), float(f[4]),
              float(f[5]), float(f[6]), tuple(int(v) for v in f[7:10]))
             for f in d.sections["Atoms"]]
    return atoms, d.lengths()


def main():
    path = sys.argv[1]
    mind, nsolv, first, nlay, tol = (float(sys.argv[2]), int(sys.argv[3]),
                                     int(sys.argv[4]), int(sys.argv[5]),
                                     float(sys.argv[6]))
    atoms, L = read(path)
    atoms.sort()
    fails = 0

    def check(c, what):
        nonlocal fails
        print(("ok - " if c else "not ok - ") + what)
        fails += not c

    q = sum(a[3] for a in atoms)
    check(abs(q) < 1e-6, f"net charge {q:.2e} is 0")
    mols = [a[1] for a in atoms]
    check(all(mols[i] <= mols[i + 1] for i in range(len(mols) - 1)) and
          len(set(mols)) == max(mols), "molecule ids consecutive, each molecule's atoms together")
    check(all(a[7] == (0, 0, 0) for a in atoms), "image flags 0")
    check(all(0 <= a[4 + k] < L[k] for a in atoms for k in range(3)), "every atom inside the box")
    # minimum distance between atoms of different molecules (cell list)
    nc = [max(1, int(L[k] // max(mind, 1.0))) for k in range(3)]
    cells = {}
    for i, a in enumerate(atoms):
        c = tuple(int(a[4 + k] / L[k] * nc[k]) % nc[k] for k in range(3))
        cells.setdefault(c, []).append(i)
    dmin = math.inf
    for c, lst in cells.items():
        neigh = set()
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dz in (-1, 0, 1):
                    neigh.add(((c[0] + dx) % nc[0], (c[1] + dy) % nc[1], (c[2] + dz) % nc[2]))
        for i in lst:
            for cc in neigh:
                for j in cells.get(cc, ()):
                    if j <= i or atoms[i][1] == atoms[j][1]:
                        continue
                    d2 = 0
                    for k in range(3):
                        d = atoms[i][4 + k] - atoms[j][4 + k]
                        d -= L[k] * round(d / L[k])
                        d2 += d * d
                    dmin = min(dmin, d2)
    dmin = math.sqrt(dmin)
    check(dmin >= mind, f"atoms of different molecules at least {mind} A apart, periodic images included (min {dmin:.3f})")
    # solutes: one per z layer, in molecule-id order
    lo, hi = tol / 2, L[2] - tol / 2
    h = (hi - lo) / nlay
    layers = []
    for m in range(first, first + nlay):
        xs = [a for a in atoms if a[1] == m]
        c = [sum(a[4 + k] for a in xs) / len(xs) for k in range(3)]
        # the atom nearest the centre of geometry (the template's central atom)
        ctr = min(xs, key=lambda a: sum((a[4 + k] - c[k]) ** 2 for k in range(3)))
        layers.append(int((ctr[6] - lo) // h))
    check(layers == list(range(nlay)), f"solutes one per z layer in id order (layers {layers})")
    check(nsolv == first - 1, "solvent molecules come first")
    sys.exit(1 if fails else 0)


main()
