#!/usr/bin/python3
"""gen-templates.py: regenerate the force-field templates share/ff/*.data.

Each template is a LAMMPS data file (real units, atom_style full) of one
molecule.  Parameters come from the published tables that the Debian
`gromacs` package ships (/usr/share/gromacs/top/oplsaa.ff: ffnonbonded.itp,
ffbonded.itp, spce.itp), converted exactly:
  kJ/mol -> kcal/mol: / 4.184;   nm -> Angstrom: * 10;
  GROMACS bond  1/2 kb (r-b0)^2       -> LAMMPS harmonic K = kb/2 (/4.184/100)
  GROMACS angle 1/2 kt (t-t0)^2       -> LAMMPS harmonic K = kt/2 (/4.184)
  GROMACS RB    sum_n C_n cos^n(psi), psi = phi - 180
                                      -> LAMMPS multi/harmonic
                                         A_{n+1} = (-1)^n C_n (/4.184), n=0..4
                                         (C_5 must be 0; checked)
  GROMACS periodic improper k (1 + cos(2 phi - 180))
                                      -> LAMMPS improper cvff K=k, d=-1, n=2
Models that are not in those tables (TIP4P/2005, TMAO) carry their numbers
here with the source of each.

Coordinates: a rough geometry written below is relaxed by LAMMPS (`lmp`)
under the bond, angle and improper terms (pair and dihedral terms off),
then under every bonded term (dihedrals on, pair terms still off), so no
rotor is left eclipsed and bond lengths and angles sit near their
r0/theta0 (tests/cli/ff-templates.sh checks how near).

Usage: share/ff/gen-templates.py [OUTDIR]   (default: share/ff)
Needs: /usr/share/gromacs/top (Debian gromacs-data) and lmp on PATH.
"""
import math
import os
import subprocess
import sys
import tempfile

TOP = "/usr/share/gromacs/top/oplsaa.ff"
KJ = 4.184
MASS = {"H": 1.008, "C": 12.011, "N": 14.0067, "O": 15.9994}


def itp_lines(path):
    """(section, fields, comment) of each data line of an .itp file."""
    sec = None
    with open(path) as fp:
        for raw in fp:
            line, _, com = raw.partition(";")
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                sec = line.strip("[] ").lower()
                continue
            yield sec, line.split(), com.strip()


class Opls:
    """The OPLS-AA tables of the GROMACS distribution."""

    def __init__(self):
        self.atom = {}
        for sec, f, _ in itp_lines(os.path.join(TOP, "ffnonbonded.itp")):
            if sec == "atomtypes" and f[0].startswith("opls_"):
                # name bond_type at.num mass charge ptype sigma eps
                self.atom[f[0]] = dict(btype=f[1], q=float(f[4]),
                                       sig=float(f[6]) * 10,
                                       eps=float(f[7]) / KJ)
        self.bond, self.angle, self.dihed = {}, {}, []
        nd = 0
        for sec, f, com in itp_lines(os.path.join(TOP, "ffbonded.itp")):
            if sec == "bondtypes":
                self.bond.setdefault((f[0], f[1]), (float(f[3]), float(f[4])))
            elif sec == "angletypes":
                self.angle.setdefault((f[0], f[1], f[2]),
                                      (float(f[4]), float(f[5])))
            elif sec == "dihedraltypes" and len(f) >= 11 and f[4] == "3":
                self.dihed.append((tuple(f[:4]), [float(x) for x in f[5:11]],
                                   com))
        self.defines = {}
        with open(os.path.join(TOP, "ffbonded.itp")) as fp:
            for raw in fp:
                if raw.startswith("#define"):
                    f = raw.split()
                    self.defines[f[1]] = [float(x) for x in f[2:]]

    def bond_p(self, a, b):
        p = self.bond.get((a, b)) or self.bond.get((b, a))
        if not p:
            raise SystemExit(f"no OPLS bond type {a}-{b}")
        return p

    def angle_p(self, a, b, c):
        p = self.angle.get((a, b, c)) or self.angle.get((c, b, a))
        if not p:
            raise SystemExit(f"no OPLS angle type {a}-{b}-{c}")
        return p

    def dihed_p(self, t):
        """GROMACS rule: the match with the fewest wildcards X, first in
        the file among equals; forward or reverse order."""
        best = None
        for key, c, com in self.dihed:
            for tt in (t, t[::-1]):
                if all(k == "X" or k == x for k, x in zip(key, tt)):
                    nx = sum(k == "X" for k in key)
                    if best is None or nx < best[0]:
                        best = (nx, key, c, com)
        if not best and "CO" in t:
            # the anomeric carbon's bond type CO is CT where the table has
            # no CO entry (as its own "(From wildcard)" CO rows are made)
            key, c, com = self.dihed_p(tuple("CT" if a == "CO" else a for a in t))
            return key, c, com + "; CO as CT"
        if not best:
            raise SystemExit(f"no OPLS dihedral type {'-'.join(t)}")
        return best[1], best[2], best[3]


# --------------------------------------------------------------- geometry
def v_add(a, b): return [a[i] + b[i] for i in range(3)]
def v_sub(a, b): return [a[i] - b[i] for i in range(3)]
def v_mul(a, s): return [x * s for x in a]
def v_dot(a, b): return sum(a[i] * b[i] for i in range(3))
def v_norm(a): return v_mul(a, 1.0 / math.sqrt(v_dot(a, a)))
def v_cross(a, b):
    return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0]]


def chirality(x, c, a, b, d):
    """'R' or 'S' of centre c whose substituents by CIP priority are
    a > b > d (the fourth, lowest, is implied)."""
    va, vb, vd = (v_sub(x[i], x[c]) for i in (a, b, d))
    return "R" if v_dot(v_cross(va, vb), vd) < 0 else "S"


# -------------------------------------------------------------- molecules
def spce():
    """SPC/E: Berendsen, Grigera, Straatsma, J. Phys. Chem. 91, 6269 (1987).
    Charges and LJ from oplsaa.ff/spce.itp + ffnonbonded.itp (opls_116,
    opls_117); geometry (0.1 nm, 109.47 deg) and the flexible force
    constants (345000 kJ/mol/nm^2, 383 kJ/mol/rad^2) from the #ifdef
    FLEXIBLE block of oplsaa.ff/spce.itp; rigid in production (constraints)."""
    ow = OPLS.atom["opls_116"]
    a = 109.47 * math.pi / 180
    x = [[0, 0, 0], [1.0, 0, 0], [math.cos(a), math.sin(a), 0]]
    return dict(
        name="spce", title="SPC/E water",
        atoms=[("OW", "O", -0.8476, ow["sig"], ow["eps"]),
               ("HW", "H", 0.4238, 0.0, 0.0), ("HW", "H", 0.4238, 0.0, 0.0)],
        x=x, bonds=[(0, 1), (0, 2)], angles=[(1, 0, 2)],
        bond_p={("OW", "HW"): (1.0, 345000 / 2 / KJ / 100)},
        angle_p={("HW", "OW", "HW"): (109.47, 383 / 2 / KJ)},
        formula="H2O", relax=False)


def tip4p2005():
    """TIP4P/2005: Abascal & Vega, J. Chem. Phys. 123, 234505 (2005),
    Table I: r(OH) 0.9572 A, HOH 104.52 deg, d(OM) 0.1546 A, q(H) 0.5564 e,
    q(M) = -2 q(H), sigma 3.1589 A, eps/k 93.2 K (= 0.18520 kcal/mol).
    Three sites here: LAMMPS pair lj/cut/tip4p/long puts the M charge on
    the O atom's record and builds M itself (keyword: OM 0.1546)."""
    eps = 93.2 * 1.380649e-23 * 6.02214076e23 / 4184.0
    a = 104.52 * math.pi / 180
    x = [[0, 0, 0], [0.9572, 0, 0], [0.9572 * math.cos(a), 0.9572 * math.sin(a), 0]]
    return dict(
        name="tip4p2005", title="TIP4P/2005 water (M site by pair lj/cut/tip4p/long, OM 0.1546)",
        atoms=[("OW", "O", -1.1128, 3.1589, eps),
               ("HW", "H", 0.5564, 0.0, 0.0), ("HW", "H", 0.5564, 0.0, 0.0)],
        x=x, bonds=[(0, 1), (0, 2)], angles=[(1, 0, 2)],
        # rigid model: force constants only keep the template well-formed;
        # SPC/E's flexible constants are used (no published flexible set)
        bond_p={("OW", "HW"): (0.9572, 345000 / 2 / KJ / 100)},
        angle_p={("HW", "OW", "HW"): (104.52, 383 / 2 / KJ)},
        formula="H2O", relax=False)


def opls_mol(name, title, formula, atoms, x, bonds, impropers=()):
    """atoms: (label, opls type); charges, LJ, bonded terms from OPLS."""
    at = []
    for lab, t in atoms:
        a = OPLS.atom[t]
        at.append((lab, t, a["q"], a["sig"], a["eps"]))
    return dict(name=name, title=title, atoms=at, x=x, bonds=bonds,
                impropers=list(impropers), formula=formula, relax=True,
                opls=True)


def methanol():
    """OPLS-AA methanol: Jorgensen, Maxwell, Tirado-Rives, J. Am. Chem. Soc.
    118, 11225 (1996); types as oplsaa.ff/methanol.itp."""
    atoms = [("C", "opls_157"), ("H1", "opls_156"), ("H2", "opls_156"),
             ("H3", "opls_156"), ("O", "opls_154"), ("HO", "opls_155")]
    x = [[0, 0, 0], [-0.36, 1.03, 0], [-0.36, -0.51, 0.89],
         [-0.36, -0.51, -0.89], [1.41, 0, 0], [1.73, -0.9, 0]]  # HO anti to H1
    return opls_mol("methanol", "methanol, OPLS-AA", "CH4O", atoms, x,
                    [(0, 1), (0, 2), (0, 3), (0, 4), (4, 5)])


def urea():
    """OPLS-AA urea: Duffy, Severance, Jorgensen, Isr. J. Chem. 33, 323
    (1993) (opls_247..250); planar amide impropers as in aminoacids.rtp
    (improper_O_C_X_Y on C, improper_Z_N_X_Y on each N)."""
    atoms = [("C", "opls_247"), ("O", "opls_248"), ("N1", "opls_249"),
             ("N2", "opls_249"), ("H11", "opls_250"), ("H12", "opls_250"),
             ("H21", "opls_250"), ("H22", "opls_250")]
    x = [[0, 0, 0], [0, 1.23, 0], [1.16, -0.67, 0], [-1.16, -0.67, 0],
         [2.03, -0.17, 0], [1.16, -1.68, 0], [-2.03, -0.17, 0],
         [-1.16, -1.68, 0]]
    bonds = [(0, 1), (0, 2), (0, 3), (2, 4), (2, 5), (3, 6), (3, 7)]
    # (i, j, k, l, define): k is the planar centre, as in aminoacids.rtp
    imps = [(2, 3, 0, 1, "improper_O_C_X_Y"),
            (0, 4, 2, 5, "improper_Z_N_X_Y"),
            (0, 6, 3, 7, "improper_Z_N_X_Y")]
    return opls_mol("urea", "urea, OPLS-AA", "CH4N2O", atoms, x, bonds, imps)


def glucose():
    """OPLS-AA carbohydrates: Damm, Frontera, Tirado-Rives, Jorgensen,
    J. Comput. Chem. 18, 1955 (1997); beta-D-glucopyranose, 4C1 chair.
    Types (oplsaa.ff atomtypes.atp): C1 opls_195 hemiacetal C, H1 opls_196,
    O1 opls_187 / HO1 opls_188 hemiacetal OH, C2-C4 opls_158 C(H) alcohol,
    O2-O4 opls_169 / HO opls_170 (diol OH), H2-H4 opls_140, C5 opls_183
    C(HOR) ether, H5 opls_185, O5 opls_186 acetal ether O, C6 opls_157,
    H6 opls_140, O6 opls_154 / HO6 opls_155 (primary alcohol)."""
    names = ["C1", "C2", "C3", "C4", "C5", "O5"]
    types = ["opls_195", "opls_158", "opls_158", "opls_158", "opls_183",
             "opls_186"]
    atoms = list(zip(names, types))
    x = []
    for k in range(6):
        t = k * math.pi / 3
        x.append([1.45 * math.cos(t), 1.45 * math.sin(t),
                  0.25 if k % 2 == 0 else -0.25])
    bonds = [(k, (k + 1) % 6) for k in range(6)]

    def add(lab, typ, pos, to):
        atoms.append((lab, typ))
        x.append(pos)
        bonds.append((to, len(x) - 1))
        return len(x) - 1

    def eq(k):
        s = 1 if x[k][2] > 0 else -1
        r = v_norm([x[k][0], x[k][1], -0.33 * s * 3])
        return r, [0, 0, s]

    # ring substituents: equatorial heavy atom, axial H (all-equatorial
    # beta-D-glucopyranose)
    sub = {0: ("O1", "opls_187", "H1", "opls_196", "HO1", "opls_188"),
           1: ("O2", "opls_169", "H2", "opls_140", "HO2", "opls_170"),
           2: ("O3", "opls_169", "H3", "opls_140", "HO3", "opls_170"),
           3: ("O4", "opls_169", "H4", "opls_140", "HO4", "opls_170")}
    for k in range(4):
        e, ax = eq(k)
        o, ot, h, ht, ho, hot = sub[k]
        io = add(o, ot, v_add(x[k], v_mul(e, 1.41)), k)
        add(h, ht, v_add(x[k], v_mul(ax, 1.09)), k)
        add(ho, hot, v_add(x[io], v_mul(v_norm(v_add(e, [0, 0, 0.9])), 0.945)), io)
    e, ax = eq(4)
    c6 = add("C6", "opls_157", v_add(x[4], v_mul(e, 1.52)), 4)
    add("H5", "opls_185", v_add(x[4], v_mul(ax, 1.09)), 4)
    perp = v_norm(v_cross(e, [0, 0, 1]))
    o6 = add("O6", "opls_154", v_add(x[c6], v_mul(v_norm(v_add(e, [0, 0, 0.8])), 1.41)), c6)
    add("H61", "opls_140", v_add(x[c6], v_mul(v_norm(v_add(perp, [0, 0, -0.5])), 1.09)), c6)
    add("H62", "opls_140", v_add(x[c6], v_mul(v_norm(v_add(v_mul(perp, -1), [0, 0, -0.5])), 1.09)), c6)
    add("HO6", "opls_155", v_add(x[o6], v_mul(v_norm(v_add(e, [0, 0, -0.9])), 0.945)), o6)
    m = opls_mol("glucose", "beta-D-glucopyranose, OPLS-AA carbohydrates",
                 "C6H12O6", atoms, x, bonds)
    m["check"] = glucose_stereo
    return m


def glucose_stereo(m, x):
    """D-glucose: C5 R, C2 R; beta anomer: C1 R (CIP priorities below).
    Returns a message or None; the caller mirrors the molecule once."""
    idx = {a[0]: i for i, a in enumerate(m["atoms"])}
    want = [("C5", "O5", "C4", "C6", "R"),   # O5 > C4(O,C,H) > C6(O,H,H)
            ("C1", "O5", "O1", "C2", "R"),   # O5(C) > O1(H) > C2
            ("C2", "O2", "C1", "C3", "R")]   # O2 > C1(O,O,H) > C3(O,C,H)
    for c, a, b, d, rs in want:
        got = chirality(x, idx[c], idx[a], idx[b], idx[d])
        if got != rs:
            return f"{c} is {got}, want {rs}"
    return None


def tmao():
    """TMAO. Non-bonded (charges, LJ): Kast, Brickmann, Kast, Berry, J. Phys.
    Chem. A 107, 5342 (2003). Intramolecular terms: OPLS-AA analogues
    (see README.md: Kast's own intramolecular set is not in the tables
    available here)."""
    # Kast et al. 2003 (sigma A, eps kJ/mol), see README.md for the caveat
    kast = {"N": (0.44, 2.926, 0.8368), "O": (-0.65, 3.266, 0.6276),
            "C": (-0.26, 3.041, 0.2831), "H": (0.11, 1.775, 0.0774)}
    atoms, x, bonds = [], [], []

    def add(lab, el, pos, to=None):
        q, s, e = kast[el]
        atoms.append((lab, el, q, s, e / KJ))
        x.append(pos)
        if to is not None:
            bonds.append((to, len(x) - 1))
        return len(x) - 1

    n = add("N", "N", [0, 0, 0])
    add("O", "O", [0, 0, 1.388], n)
    for k in range(3):
        t = 2 * math.pi * k / 3
        d = v_norm([math.cos(t), math.sin(t), -0.3333])
        c = add(f"C{k+1}", "C", v_mul(d, 1.448), n)
        # hydrogens staggered about the N-C axis
        perp1 = v_norm(v_cross(d, [0, 0, 1]))
        perp2 = v_cross(d, perp1)
        for j in range(3):
            u = 2 * math.pi * j / 3 + math.pi / 3
            h = v_add(v_mul(d, 0.36), v_add(v_mul(perp1, 1.03 * math.cos(u)),
                                              v_mul(perp2, 1.03 * math.sin(u))))
            add(f"H{k+1}{j+1}", "H", v_add(x[c], h), c)
    # OPLS-AA analogues (ffbonded.itp): CT-HC bond, HC-CT-HC, HC-CT-NT,
    # CT-NT bond; N-O with the OPLS N-OH force constant at the N-O length
    # 1.388 A of TMAO; C-N-C and C-N-O at 109.47 with the OPLS CT-NT-CT
    # constant; the methyl rotor H-C-N-C (and H-C-N-O) from OPLS amine
    # HC-CT-NT-CT.
    b = OPLS.bond_p("CT", "HC")
    cn = OPLS.bond_p("CT", "NT")
    no = OPLS.bond_p("N", "OH")
    cnc = OPLS.angle_p("CT", "NT", "CT")
    hch = OPLS.angle_p("HC", "CT", "HC")
    hcn = OPLS.angle_p("HC", "CT", "NT")
    _, rb, _ = OPLS.dihed_p(("CT", "NT", "CT", "HC"))
    return dict(
        name="tmao", title="trimethylamine N-oxide, Kast et al. 2003 non-bonded",
        atoms=atoms, x=x, bonds=bonds, formula="C3H9NO", relax=True,
        bond_p={("C", "H"): (b[0] * 10, b[1] / 2 / KJ / 100),
                ("N", "C"): (cn[0] * 10, cn[1] / 2 / KJ / 100),
                ("N", "O"): (1.388, no[1] / 2 / KJ / 100)},
        angle_p={("H", "C", "H"): (hch[0], hch[1] / 2 / KJ),
                 ("H", "C", "N"): (hcn[0], hcn[1] / 2 / KJ),
                 ("C", "N", "C"): (109.47, cnc[1] / 2 / KJ),
                 ("C", "N", "O"): (109.47, cnc[1] / 2 / KJ)},
        dihed_p={("H", "C", "N", "C"): rb, ("H", "C", "N", "O"): rb})


# ---------------------------------------------------------- topology, I/O
def neighbours(n, bonds):
    nb = [[] for _ in range(n)]
    for i, j in bonds:
        nb[i].append(j)
        nb[j].append(i)
    return nb


def angles_of(n, bonds):
    nb = neighbours(n, bonds)
    out = []
    for j in range(n):
        for a in range(len(nb[j])):
            for b in range(a + 1, len(nb[j])):
                out.append((nb[j][a], j, nb[j][b]))
    return out


def diheds_of(n, bonds):
    nb = neighbours(n, bonds)
    out = []
    for j, k in bonds:
        for i in nb[j]:
            if i == k:
                continue
            for l in nb[k]:
                if l in (j, i):
                    continue
                out.append((i, j, k, l))
    return out


def rb_to_multi(c):
    if abs(c[5]) > 0:
        raise SystemExit("RB C5 != 0 cannot be written as multi/harmonic")
    return [((-1) ** n) * c[n] / KJ for n in range(5)]


def build(m):
    """Types and coefficient rows of molecule m (in place)."""
    n = len(m["atoms"])
    # atom types: one per distinct label+parameters, in order of appearance
    tkey, types, m["atype"] = {}, [], []
    for lab, t, q, s, e in m["atoms"]:
        key = (t, q, s, e)
        if key not in tkey:
            tkey[key] = len(types) + 1
            types.append(dict(label=lab, src=t, q=q, sig=s, eps=e))
        m["atype"].append(tkey[key])
    m["types"] = types
    m.setdefault("angles", angles_of(n, m["bonds"]))
    m["diheds"] = diheds_of(n, m["bonds"]) if m.get("relax") else []
    m.setdefault("impropers", [])
    lab = [a[0] for a in m["atoms"]]
    el = [element(a) for a in m["atoms"]]
    m["elements"] = el

    def key_of(idx):
        if m.get("opls"):
            return tuple(OPLS.atom[m["atoms"][i][1]]["btype"] for i in idx)
        return tuple(el[i] if m["name"] == "tmao" else lab[i] for i in idx)

    def typed(terms, lookup):
        rows, tid, out = [], {}, []
        for t in terms:
            k = key_of(t)
            kk = min(k, k[::-1])
            if kk not in tid:
                p, com = lookup(k)
                if p is None:
                    continue
                tid[kk] = len(rows) + 1
                rows.append((p, "-".join(kk), com))
            out.append((tid[kk], t))
        return rows, out

    def bl(k):
        if m.get("opls"):
            b0, kb = OPLS.bond_p(*k)
            return (kb / 2 / KJ / 100, b0 * 10), "ffbonded.itp bondtypes"
        p = m["bond_p"].get(k) or m["bond_p"][k[::-1]]
        return (p[1], p[0]), "see header"

    def al(k):
        if m.get("opls"):
            t0, kt = OPLS.angle_p(*k)
            return (kt / 2 / KJ, t0), "ffbonded.itp angletypes"
        p = m["angle_p"].get(k) or m["angle_p"][k[::-1]]
        return (p[1], p[0]), "see header"

    def dl(k):
        if m.get("opls"):
            key, c, com = OPLS.dihed_p(k)
            if all(v == 0 for v in c):
                # a zero RB row: GROMACS keeps the term with no energy; so do we
                pass
            return tuple(rb_to_multi(c)), f"ffbonded.itp RB {'-'.join(key)} ({com})"
        p = m["dihed_p"].get(k) or m["dihed_p"].get(k[::-1])
        return tuple(rb_to_multi(p)), "see header"

    m["bond_rows"], m["bond_terms"] = typed(m["bonds"], bl)
    m["angle_rows"], m["angle_terms"] = typed(m["angles"], al)
    m["dihed_rows"], m["dihed_terms"] = typed(m["diheds"], dl)
    rows, terms, tid = [], [], {}
    for i, j, k, l, d in m["impropers"]:
        if d not in tid:
            ph, kk, nn = OPLS.defines[d]
            assert ph == 180.0 and nn == 2
            tid[d] = len(rows) + 1
            rows.append(((kk / KJ, -1, 2), d, "ffbonded.itp #define"))
        terms.append((tid[d], (i, j, k, l)))
    m["imp_rows"], m["imp_terms"] = rows, terms


def element(a):
    lab, t = a[0], a[1]
    if t in MASS:
        return t
    if t.startswith("opls_"):
        return {"C": "C", "H": "H", "N": "N", "O": "O"}[lab[0]]
    return lab[0] if lab[0] in MASS else lab[1]


def fmt(v):
    s = f"{v:.10g}"
    return "0" if s == "-0" else s


def write_data(m, path, x, header=(), relax=False):
    n = len(m["atoms"])
    L = []
    L.append(f"LAMMPS data file: {m['title']} (soretkit share/ff/{m['name']}.data)")
    for h in header:
        L.append(("# " + h).rstrip())
    L.append("")
    L.append(f"{n} atoms")
    L.append(f"{len(m['types'])} atom types")
    sec = [("bonds", "bond", m["bond_terms"], m["bond_rows"]),
           ("angles", "angle", m["angle_terms"], m["angle_rows"]),
           ("dihedrals", "dihedral", m["dihed_terms"], m["dihed_rows"]),
           ("impropers", "improper", m["imp_terms"], m["imp_rows"])]
    for name, t, terms, rows in sec:
        if terms:
            L.append(f"{len(terms)} {name}")
            L.append(f"{len(rows)} {t} types")
    L.append("")
    for a, lo, hi in (("x", -15, 15), ("y", -15, 15), ("z", -15, 15)):
        L.append(f"{lo} {hi} {a}lo {a}hi")
    L.append("")
    L.append("Masses")
    L.append("")
    for i, t in enumerate(m["types"]):
        el = element((t["label"], t["src"]))
        L.append(f"{i+1} {MASS[el]}  # {t['label']} {t['src'] if t['src'].startswith('opls') else ''}".rstrip())
    L.append("")
    L.append("Pair Coeffs # lj/cut/coul/long")
    L.append("")
    for i, t in enumerate(m["types"]):
        L.append(f"{i+1} {fmt(t['eps'])} {fmt(t['sig'])}")
    styles = {"bond": "harmonic", "angle": "harmonic",
              "dihedral": "multi/harmonic", "improper": "cvff"}
    for name, t, terms, rows in sec:
        if not terms:
            continue
        L.append("")
        st = styles[t]
        if relax and t == "dihedral":
            st = "zero"
        L.append(f"{t.capitalize()} Coeffs # {st}")
        L.append("")
        for i, (p, key, com) in enumerate(rows):
            if relax and t == "dihedral":
                L.append(f"{i+1}")
                continue
            vals = " ".join(fmt(v) if not isinstance(v, int) else str(v) for v in p)
            L.append(f"{i+1} {vals}  # {key}: {com}")
    L.append("")
    L.append("Atoms # full")
    L.append("")
    for i in range(n):
        q = m["atoms"][i][2]
        L.append(f"{i+1} 1 {m['atype'][i]} {fmt(q)} {x[i][0]:.6f} {x[i][1]:.6f} {x[i][2]:.6f} 0 0 0  # {m['atoms'][i][0]}")
    for name, t, terms, rows in sec:
        if not terms:
            continue
        L.append("")
        L.append(name.capitalize())
        L.append("")
        for k, (ty, at) in enumerate(terms):
            L.append(f"{k+1} {ty} " + " ".join(str(a + 1) for a in at))
    with open(path, "w") as fp:
        fp.write("\n".join(L) + "\n")


def relax(m, x, torsions=False):
    """Minimise under bonds, angles and impropers (lmp); with torsions, the
    dihedral terms too (never the non-bonded ones)."""
    with tempfile.TemporaryDirectory() as d:
        write_data(m, os.path.join(d, "in.data"), x, relax=not torsions)
        imp = "improper_style cvff" if m["imp_terms"] else ""
        dih = ("dihedral_style multi/harmonic" if torsions else
               "dihedral_style zero") if m["dihed_terms"] else ""
        inp = f"""units real
atom_style full
boundary f f f
pair_style lj/cut 10.0
bond_style harmonic
angle_style harmonic
{dih}
{imp}
read_data in.data
pair_coeff * * 0.0 1.0
special_bonds lj/coul 0 0 0
min_style cg
minimize 0 1e-12 20000 200000
min_style fire
minimize 0 1e-12 20000 200000
write_dump all custom out.dump id x y z modify sort id format float %.10f
"""
        with open(os.path.join(d, "in.lmp"), "w") as fp:
            fp.write(inp)
        r = subprocess.run(["lmp", "-in", "in.lmp", "-log", "none", "-screen", "none"],
                           cwd=d, capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(f"lmp failed for {m['name']}: {r.stdout[-500:]}{r.stderr[-500:]}")
        rows = open(os.path.join(d, "out.dump")).read().split("ITEM: ATOMS id x y z\n")[1].split("\n")
        y = [list(map(float, r.split()[1:4])) for r in rows if r.strip()]
    # centre on the centre of geometry
    c = [sum(p[i] for p in y) / len(y) for i in range(3)]
    return [v_sub(p, c) for p in y]


HEADERS = {
    "spce": ["Model: SPC/E water, H.J.C. Berendsen, J.R. Grigera, T.P. Straatsma,",
             "  J. Phys. Chem. 91, 6269-6271 (1987).",
             "Source: /usr/share/gromacs/top/oplsaa.ff/spce.itp (charges -0.8476/0.4238,",
             "  geometry 0.1 nm / 109.47 deg, flexible constants 345000 kJ/mol/nm^2 and",
             "  383 kJ/mol/rad^2 of its FLEXIBLE block) and ffnonbonded.itp opls_116",
             "  (sigma 0.316557 nm, eps 0.650194 kJ/mol). Rigid in production: hold",
             "  bond and angle with SHAKE/RATTLE/SETTLE; K values only matter if flexible."],
    "tip4p2005": ["Model: TIP4P/2005 water, J.L.F. Abascal, C. Vega, J. Chem. Phys. 123,",
                  "  234505 (2005), Table I. Rigid. M site not stored: use LAMMPS",
                  "  pair_style lj/cut/tip4p/long OTYPE HTYPE BTYPE ATYPE 0.1546 ...;",
                  "  the O record carries q(M) = -1.1128. eps = 93.2 K * k_B.",
                  "  K values are SPC/E's flexible ones (no flexible TIP4P/2005 exists)."],
    "methanol": ["Model: OPLS-AA methanol, W.L. Jorgensen, D.S. Maxwell, J. Tirado-Rives,",
                 "  J. Am. Chem. Soc. 118, 11225-11236 (1996).",
                 "Source: /usr/share/gromacs/top/oplsaa.ff (methanol.itp types, ffnonbonded.itp,",
                 "  ffbonded.itp); each coefficient row names its table entry."],
    "urea": ["Model: OPLS-AA urea, W.L. Jorgensen parameters for urea: E.M. Duffy,",
             "  D.L. Severance, W.L. Jorgensen, Isr. J. Chem. 33, 323-330 (1993)",
             "  (opls_247..opls_250), with the OPLS-AA bonded terms (Jorgensen et al. 1996).",
             "Source: /usr/share/gromacs/top/oplsaa.ff (ffnonbonded.itp, ffbonded.itp);",
             "  impropers improper_O_C_X_Y / improper_Z_N_X_Y as aminoacids.rtp uses them."],
    "glucose": ["Model: beta-D-glucopyranose, OPLS-AA carbohydrates, W. Damm, A. Frontera,",
                "  J. Tirado-Rives, W.L. Jorgensen, J. Comput. Chem. 18, 1955-1970 (1997).",
                "Source: /usr/share/gromacs/top/oplsaa.ff (ffnonbonded.itp, ffbonded.itp);",
                "  atom types in gen-templates.py glucose(); 4C1 chair, all substituents",
                "  equatorial; stereo checked (C1 R, C2 R, C5 R)."],
    "tmao": ["Model: TMAO, non-bonded (charges, LJ) of K.M. Kast, J. Brickmann,",
             "  S.M. Kast, R.S. Berry, J. Phys. Chem. A 107, 5342-5351 (2003):",
             "  q N 0.44 O -0.65 C -0.26 H 0.11; sigma/A, eps/(kJ/mol) N 2.926/0.8368",
             "  O 3.266/0.6276 C 3.041/0.2831 H 1.775/0.0774. NOT checked against the",
             "  paper in this build (see share/ff/README.md): verify before production.",
             "Intramolecular: OPLS-AA analogues from /usr/share/gromacs/top/oplsaa.ff",
             "  ffbonded.itp (CT-HC, CT-NT bonds; HC-CT-HC, HC-CT-NT angles; C-N-C and",
             "  C-N-O at 109.47 deg with the CT-NT-CT constant; N-O 1.388 A with the N-OH",
             "  constant; methyl torsions HC-CT-NT-CT), not Kast's own set."],
}
COMMON = ["Units real (A, kcal/mol, e, g/mol); atom_style full; one molecule, id 1.",
          "Study conventions (share/ff/README.md): pair lj/cut/coul/long, geometric",
          "  mixing (pair_modify mix geometric), special_bonds lj/coul 0.0 0.0 0.5.",
          "Conversions: kJ->kcal /4.184, nm->A *10; harmonic K = k/2; RB C_n ->",
          "  multi/harmonic A_(n+1) = (-1)^n C_n; improper k(1+cos(2phi-180)) -> cvff K -1 2.",
          "Generated by share/ff/gen-templates.py; coordinates relaxed (lmp minimize)",
          "  under the bonded terms, without the non-bonded ones, unless the model is rigid."]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for f in (spce, tip4p2005, methanol, urea, glucose, tmao):
        m = f()
        build(m)
        x = m["x"]
        if m.get("relax"):
            # bonds and angles first (from the rough geometry), then the
            # torsions too, so that no rotor is left eclipsed
            x = relax(m, x)
            x = relax(m, x, torsions=True)
        if "check" in m:
            msg = m["check"](m, x)
            if msg:
                x = [[p[0], p[1], -p[2]] for p in x]
                msg2 = m["check"](m, x)
                if msg2:
                    raise SystemExit(f"{m['name']}: stereo: {msg}; mirrored: {msg2}")
        q = sum(a[2] for a in m["atoms"])
        mass = sum(MASS[e] for e in m["elements"])
        hdr = HEADERS[m["name"]] + COMMON + [
            f"Formula {m['formula']}, mass {mass:.4f} g/mol, net charge {q:+.2e} e."]
        write_data(m, os.path.join(out, m["name"] + ".data"), x, hdr)
        print(f"{m['name']}: {len(m['atoms'])} atoms, q {q:+.1e}, mass {mass:.4f}")


OPLS = Opls()
if __name__ == "__main__":
    main()
