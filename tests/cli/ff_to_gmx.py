#!/usr/bin/python3
"""ff_to_gmx.py FILE.data NAME: a GROMACS topology NAME.top and NAME.gro of
a share/ff OPLS-AA template for an independent check of its numbers: the
atoms carry their OPLS type (from the Masses comments) and charge, and the
bonds, angles and dihedrals are listed WITHOUT parameters, so grompp looks
them up in /usr/share/gromacs/top/oplsaa.ff itself (its own rules), and the
1-4 pairs come from gen-pairs (fudge 0.5). Impropers name their #define.
The only parameters given are the RB rows the GROMACS table lacks (those
the template marks "CO as CT"), converted back from the template.
The molecule sits at the centre of a 3 nm box. With a third argument SEED,
every atom is first displaced by up to 0.15 A (seeded), and the displaced
template is written as NAME.data too, so that every term (impropers of a
planar molecule, torsions at a minimum) is away from zero."""
import sys, re
import random
path, name = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else None
sec=None; S={}; types={}
for raw in open(path):
    line=raw.rstrip('\n')
    body, _, com = line.partition('#')
    b=body.strip()
    if b in ('Masses','Pair Coeffs','Bond Coeffs','Angle Coeffs','Dihedral Coeffs','Improper Coeffs','Atoms','Bonds','Angles','Dihedrals','Impropers'):
        sec=b; S[sec]=[]; continue
    if not b or sec is None: continue
    S[sec].append((b.split(), com.strip()))
for f, com in S['Masses']:
    types[int(f[0])] = com.split()[1]
impdef={}
for f, com in S.get('Improper Coeffs', []):
    impdef[int(f[0])] = com.split(':')[0]
top=['#include "oplsaa.ff/forcefield.itp"','[ moleculetype ]','MOL 3','[ atoms ]']
for f, com in S['Atoms']:
    top.append(f"{f[0]} {types[int(f[2])]} 1 MOL {com.strip() or 'X'} {f[0]} {f[3]}")
top.append('[ bonds ]'); top += [f"{f[2]} {f[3]} 1" for f,_ in S['Bonds']]
# 1-4 pairs: dihedral ends that are not 1-2/1-3
b12=set(); nb={}
for f,_ in S['Bonds']:
    i,j=int(f[2]),int(f[3]); nb.setdefault(i,set()).add(j); nb.setdefault(j,set()).add(i)
pairs=set()
for f,_ in S.get('Dihedrals',[]):
    i,l=int(f[2]),int(f[5])
    if l in nb[i] or (nb[i] & nb[l]): continue
    pairs.add((min(i,l),max(i,l)))
top.append('[ pairs ]'); top += [f"{i} {j} 1" for i,j in sorted(pairs)]
top.append('[ angles ]'); top += [f"{f[2]} {f[3]} {f[4]} 1" for f,_ in S['Angles']]
# RB rows GROMACS's own table lacks (the templates read CO as CT there):
# give them explicitly, converted back (C_n = (-1)^n A_(n+1) * 4.184)
rb={}
for f, com in S.get('Dihedral Coeffs', []):
    if 'CO as CT' in com:
        a=[float(v) for v in f[1:6]]
        rb[int(f[0])]=' '.join(f"{((-1)**n)*a[n]*4.184:.10g}" for n in range(5))+' 0'
top.append('[ dihedrals ]'); top += [f"{f[2]} {f[3]} {f[4]} {f[5]} 3 {rb.get(int(f[1]), '')}".rstrip() for f,_ in S.get('Dihedrals',[])]
if 'Impropers' in S:
    top.append('[ dihedrals ]'); top += [f"{f[2]} {f[3]} {f[4]} {f[5]} 4 {impdef[int(f[1])]}" for f,_ in S['Impropers']]
top += ['[ system ]', name, '[ molecules ]', 'MOL 1']
open(name+'.top','w').write('\n'.join(top)+'\n')
n=len(S['Atoms'])
if seed is not None:
    rnd = random.Random(seed)
    new = {}
    for f, com in S['Atoms']:
        for k in (4, 5, 6):
            f[k] = repr(float(f[k]) + rnd.uniform(-0.15, 0.15))
        new[f[0]] = f
    out, sec = [], None
    for raw in open(path):
        b = raw.partition('#')[0].strip()
        if b in ('Atoms', 'Bonds', 'Masses', 'Pair Coeffs', 'Bond Coeffs', 'Angle Coeffs',
                 'Dihedral Coeffs', 'Improper Coeffs', 'Angles', 'Dihedrals', 'Impropers'):
            sec = b
        elif sec == 'Atoms' and b:
            raw = ' '.join(new[b.split()[0]]) + '\n'
        out.append(raw)
    open(name + '.data', 'w').write(''.join(out))
g=[name, str(n)]
for f, com in S['Atoms']:
    x,y,z=(float(v)/10+1.5 for v in f[4:7])
    g.append(f"{1:5d}{'MOL':<5s}{'X':>5s}{int(f[0]):5d}{x:15.10f}{y:15.10f}{z:15.10f}")
g.append("   3.00000   3.00000   3.00000")
open(name+'.gro','w').write('\n'.join(g)+'\n')
