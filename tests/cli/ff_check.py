#!/usr/bin/python3
"""ff_check.py FILE.data FORMULA BOND_TOL ANGLE_TOL: checks of one force-field
template (share/ff), printed as "ok - ..." / "not ok - ..." lines:
net charge 0 to 1e-6 e; mass equal to the molecular formula's (IUPAC
standard atomic weights as LAMMPS/OPLS tables give them, to 1e-3 g/mol);
every bond length within BOND_TOL A of its r0 and every angle within
ANGLE_TOL degrees of its theta0; every bonded type used has a coefficient
row, and every row is used. A plain reader, independent of common/lmp_data.c."""
import math
import re
import sys

WEIGHT = {"H": 1.008, "C": 12.011, "N": 14.0067, "O": 15.9994}


def read(path):
    sec, d = None, {"sections": {}}
    heads = {"Masses", "Pair Coeffs", "Bond Coeffs", "Angle Coeffs",
             "Dihedral Coeffs", "Improper Coeffs", "Atoms", "Bonds",
             "Angles", "Dihedrals", "Impropers", "Velocities"}
    with open(path) as fp:
        next(fp)
        for raw in fp:
            line = raw.split("#")[0].strip()
            if not line:
                continue
            if line in heads:
                sec = line
                d["sections"][sec] = []
                continue
            if sec is None:
                m = re.match(r"(\d+) (atom|bond|angle|dihedral|improper) types$", line)
                if m:
                    d[m.group(2) + "_types"] = int(m.group(1))
                continue
            d["sections"][sec].append(line.split())
    return d


def main():
    path, formula, btol, atol = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    name = path.rsplit("/", 1)[-1]
    d = read(path)
    S = d["sections"]
    fails = 0

    def check(cond, what):
        nonlocal fails
        print(("ok - " if cond else "not ok - ") + f"{name}: {what}")
        fails += not cond

    mass = {int(r[0]): float(r[1]) for r in S["Masses"]}
    atoms = {int(r[0]): r for r in S["Atoms"]}
    q = sum(float(r[3]) for r in atoms.values())
    check(abs(q) < 1e-6, f"net charge {q:.2e} e is 0 to 1e-6")
    m = sum(mass[int(r[2])] for r in atoms.values())
    want = sum(WEIGHT[el] * int(n or 1) for el, n in re.findall(r"([A-Z][a-z]?)(\d*)", formula))
    check(abs(m - want) < 1e-3, f"mass {m:.4f} equals {formula} {want:.4f} g/mol")
    check(len({r[1] for r in atoms.values()}) == 1, "one molecule id")
    x = {i: [float(v) for v in r[4:7]] for i, r in atoms.items()}

    def dist(a, b):
        return math.dist(x[a], x[b])

    def ang(a, b, c):
        u = [x[a][k] - x[b][k] for k in range(3)]
        v = [x[c][k] - x[b][k] for k in range(3)]
        cs = sum(u[k] * v[k] for k in range(3)) / math.sqrt(
            sum(t * t for t in u) * sum(t * t for t in v))
        return math.degrees(math.acos(max(-1, min(1, cs))))

    for kind, terms, n in (("Bond", "Bonds", 2), ("Angle", "Angles", 3),
                           ("Dihedral", "Dihedrals", 4), ("Improper", "Impropers", 4)):
        if terms not in S:
            continue
        coeffs = {int(r[0]): [float(v) for v in r[1:]] for r in S.get(kind + " Coeffs", [])}
        used = {int(r[1]) for r in S[terms]}
        ntypes = d.get(kind.lower() + "_types", 0)
        check(set(coeffs) == set(range(1, ntypes + 1)) and used <= set(coeffs),
              f"every {kind.lower()} type has coefficients ({len(coeffs)} of {ntypes})")
        check(used == set(coeffs), f"every {kind.lower()} coefficient row is used")
        worst = 0.0
        for r in S[terms]:
            t, at = int(r[1]), [int(v) for v in r[2:2 + n]]
            if kind == "Bond":
                worst = max(worst, abs(dist(*at) - coeffs[t][1]))
            elif kind == "Angle":
                worst = max(worst, abs(ang(*at) - coeffs[t][1]))
        if kind == "Bond":
            check(worst <= btol, f"bond lengths within {btol} A of r0 (worst {worst:.2e})")
        elif kind == "Angle":
            check(worst <= atol, f"angles within {atol} deg of theta0 (worst {worst:.3f})")
    sys.exit(1 if fails else 0)


main()
