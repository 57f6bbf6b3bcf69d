#!/bin/sh
# msd-bench.sh: the MSD of one trajectory by soretkit's FFT algorithm, by its
# O(N^2) double loop (msd --direct), and by MDAnalysis EinsteinMSD when
# /usr/bin/python3 has it (fft=True needs the tidynamics package; without
# it only fft=False, MDAnalysis's windowed O(N^2) loop, vectorised over
# atoms). The trajectory: an LJ mixture (ATOMS atoms, 4 % solute, density
# 0.727) run by md-run, one frame every 10 steps. Each timing is the best of
# REPS runs (other load only ever slows a run down); MDAnalysis is timed on
# .run() alone, its trajectory already unwrapped in memory (it needs
# unwrapped coordinates). The three MSDs are compared at the end.
# Usage: bench/msd-bench.sh [FRAMES [ATOMS [REPS]]]   (default 2000 1000 3)
set -eu
frames=${1:-2000}
atoms=${2:-1000}
reps=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$top/bin}
PY=/usr/bin/python3
for t in box-init md-run msd; do
	[ -x "$BIN/$t" ] || { echo "msd-bench.sh: $BIN/$t missing (make first)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

nsol=$((atoms * 4 / 100)); nsolv=$((atoms - nsol))
box=$(awk -v n="$atoms" 'BEGIN{printf "%.6f", (n/0.727)^(1/3)}')
"$BIN/box-init" --box "$box,$box,$box" --count "$nsolv,$nsol" --seed 7 -o mix.data
"$BIN/md-run" --units lj --data mix.data --ensemble min -o min.nc -q >/dev/null
"$BIN/md-run" --units lj --data mix.data --from min.nc --temp 1 --ensemble nvt \
	--tdamp 1 --steps $(((frames - 1) * 10)) --dump 10 -o t.nc -q >/dev/null

now() { date +%s.%N; }
best() { # best wall time of reps runs of "$@"
	b=
	i=0
	while [ $i -lt "$reps" ]; do
		t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
		b=$(awk -v a="$t0" -v z="$t1" -v b="$b" 'BEGIN{d = z - a; if (b == "" || d < b) b = d; printf "%.3f", b}')
		i=$((i + 1))
	done
	echo "$b"
}
t_fft=$(best "$BIN/msd" -q --units lj --data mix.data --no-drift-removal -o fft.txt t.nc)
t_dir=$(best "$BIN/msd" -q --units lj --data mix.data --no-drift-removal --direct -o direct.txt t.nc)
t_mda=n/a t_mdafft=n/a rel_mda=n/a
if [ -x "$PY" ] && $PY -c 'import MDAnalysis' 2>/dev/null; then
	out=$($PY -W ignore - "$atoms" "$reps" <<'PYEOF' 2>/dev/null
import sys, time, numpy as np, MDAnalysis as mda
from MDAnalysis.coordinates.memory import MemoryReader
from MDAnalysis.analysis.msd import EinsteinMSD
n, reps = int(sys.argv[1]), int(sys.argv[2])
u = mda.Universe.empty(n, trajectory=True)
u.load_new('t.nc', format='NCDF')
w = np.array([ts.positions.astype(np.float64) for ts in u.trajectory])
L = np.array([ts.dimensions[:3].astype(np.float64) for ts in u.trajectory])
d = np.diff(w, axis=0)
d -= L[1:, None, :] * np.round(d / L[1:, None, :])
uw = np.concatenate([w[:1], w[:1] + np.cumsum(d, axis=0)])
u2 = mda.Universe.empty(n, trajectory=True)
u2.load_new(uw, format=MemoryReader, dtype=np.float64)
def run(fft):
    best = None
    for _ in range(reps):
        t0 = time.perf_counter()
        m = EinsteinMSD(u2, select='all', msd_type='xyz', fft=fft).run()
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    return best, m.results.timeseries
t, ts = run(False)
try:
    tf, _ = run(True)
    tf = "%.3f" % tf
except ImportError:
    tf = "n/a:no-tidynamics"
ours = np.loadtxt('fft.txt')[:, 1]
print("%.3f %s %.3g" % (t, tf, np.max(np.abs(ours[1:] - ts[1:]) / ts[1:])))
PYEOF
) && set -- $out && t_mda=$1 t_mdafft=$2 rel_mda=$3
fi
rel_dir=$(paste fft.txt direct.txt | awk '!/^#/ {d = $2 - $4; if (d < 0) d = -d; if ($4 > 0 && d/$4 > w) w = d/$4} END {printf "%.3g", w + 0}')
echo "msd benchmark: $frames frames x $atoms atoms (LJ, md-run), best of $reps"
printf '%-40s %12s\n' "method" "seconds"
printf '%-40s %12s\n' "soretkit msd (FFT)" "$t_fft"
printf '%-40s %12s\n' "soretkit msd --direct (O(N^2))" "$t_dir"
printf '%-40s %12s\n' "MDAnalysis EinsteinMSD fft=False" "$t_mda"
printf '%-40s %12s\n' "MDAnalysis EinsteinMSD fft=True" "$t_mdafft"
echo "max relative difference: FFT vs --direct $rel_dir, FFT vs MDAnalysis $rel_mda"
echo "(soretkit times include reading the NetCDF file and unwrapping)"
