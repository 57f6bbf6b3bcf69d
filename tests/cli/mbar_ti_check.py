"""Independent TI and TI-CUBIC for mbar's tests: numpy trapezoid and
scipy's natural cubic spline over the states' mean dU/dlambda (every
sample: compare with mbar --no-subsample), errors sqrt(sum w_k^2 sem_k^2)
with the weights each rule gives a state's mean (the integral of the
rule applied to a unit vector) and sem = sample std (ddof 1) / sqrt(n).
One-component schedules (the '# lambdas:' line). Prints
    TI dG err
    TI-CUBIC dG err
Usage: mbar_ti_check.py WINDOW..."""
import sys
import numpy as np
from scipy.interpolate import CubicSpline

states = {}
lam = None
for path in sys.argv[1:]:
    state, cols, rows = None, None, []
    for line in open(path):
        if line.startswith('# state:'):
            state = int(line.split(':')[1])
        elif line.startswith('# lambdas:'):
            lam = np.array([float(x) for x in line.split(':')[1].split()])
        elif line.startswith('# time'):
            cols = [c.split('[')[0] for c in line[1:].split()]
        elif not line.startswith('#') and line.strip():
            rows.append([float(x) for x in line.split()])
    a = np.array(rows)
    states[state] = a[:, cols.index('dudl')]
K = len(states)
mean = np.array([states[k].mean() for k in range(K)])
sem = np.array([states[k].std(ddof=1) / np.sqrt(len(states[k])) for k in range(K)])

def weights(rule):
    w = np.zeros(K)
    for k in range(K):
        e = np.zeros(K)
        e[k] = 1.0
        w[k] = rule(e)
    return w

trap = lambda y: float(np.sum(np.diff(lam) * (y[1:] + y[:-1]) / 2))
cub = lambda y: float(CubicSpline(lam, y, bc_type='natural').integrate(lam[0], lam[-1]))
for name, rule in (('TI', trap), ('TI-CUBIC', cub)):
    w = weights(rule)
    print(name, '%.12g' % rule(mean), '%.12g' % np.sqrt(np.sum(w**2 * sem**2)))
