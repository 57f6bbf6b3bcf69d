#!/bin/sh
# mbar-bench.sh: soretkit's mbar against pymbar (Debian python3-pymbar,
# /usr/bin/python3) on the same u_kn: K harmonic-oscillator windows of N
# uncorrelated samples each (test_mbar --write-windows), every sample used
# (--no-subsample). Prints dG and its error by MBAR and BAR from both, the
# differences (MBAR must agree to 1e-6 kT: exit 1 otherwise), and the wall
# times: the whole run (reading the tables included) and the MBAR solve
# with its uncertainties alone.
# Usage: bench/mbar-bench.sh [K [N]]   (default 20 5000)
set -eu
K=${1:-20} N=${2:-5000}
PY=/usr/bin/python3
top=$(cd "$(dirname "$0")/.." && pwd)
make -s -C "$top" bin/mbar build/tests/test_mbar >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$top/build/tests/test_mbar" --write-windows w "$K" "$N" 0 42 >/dev/null

now() { date +%s.%N; }
t0=$(now)
"$top/bin/mbar" --no-subsample -o ours.txt w/win_*.txt 2>ours.err
t1=$(now)
"$PY" "$top/tests/cli/mbar_pymbar.py" w/win_*.txt >ref.txt
t2=$(now)
ver=$("$PY" -c 'import pymbar.version as v; print(v.full_version)' 2>/dev/null ||
	"$PY" -c 'import pymbar; print(pymbar.__version__)')
solve=$(sed -n 's/.*(MBAR \([0-9.e+-]*\) s.*/\1/p' ours.err)
ref_solve=$(awk '$1 == "seconds" {print $2}' ref.txt)

echo "u_kn: K = $K states x N = $N samples each (harmonic-oscillator path), every sample"
deb=$(dpkg-query -W -f '${Version}' python3-pymbar 2>/dev/null || echo "?")
echo "pymbar $ver (Debian python3-pymbar $deb)"
printf '%-8s %-16s %-16s %-12s %-12s %-10s %s\n' method "dG ours [kT]" "dG pymbar [kT]" "err ours" "err pymbar" "|d dG|" "err rel diff"
status=0
for m in MBAR BAR; do
	o=$(awk -v m=$m '!/^#/ && $1 == m {print $2, $3}' ours.txt)
	r=$(awk -v m=$m '$1 == m {print $2, $3}' ref.txt)
	line=$(echo "$o $r" | awk -v m=$m '{d = $1 - $3; if (d < 0) d = -d; e = ($2 - $4) / $4; if (e < 0) e = -e;
		printf "%-8s %-16.12f %-16.12f %-12.8f %-12.8f %-10.3g %.3g", m, $1, $3, $2, $4, d, e
		if (m == "MBAR" && !(d <= 1e-6)) exit 1}') || status=1
	echo "$line"
done
awk -v a="$t0" -v b="$t1" -v c="$t2" -v s="$solve" -v r="$ref_solve" 'BEGIN {
	printf "wall time, whole run:   mbar %.3f s   pymbar (python, loadtxt, MBAR, BAR, EXP) %.3f s   ratio %.1f\n", b - a, c - b, (c - b) / (b - a)
	printf "wall time, MBAR solve:  mbar %.3f s   pymbar MBAR() + free energy differences %.3f s   ratio %.1f\n", s, r, r / s }'
[ "$status" -eq 0 ] && echo "MBAR dG equal to 1e-6 kT: yes" || echo "MBAR dG equal to 1e-6 kT: NO"
exit "$status"
