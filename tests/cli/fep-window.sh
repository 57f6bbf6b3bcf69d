# CLI tests of soft-core decoupling end to end: md-run --decouple/--lambda
# (dU/dlambda thermo column, exact resume), fep-window (window tables that
# agree with md-run's own energies), mbar on them, widom; and bad input.
. "$TOP/tests/cli/lib.sh"
export OMP_NUM_THREADS=1

std_cli fep-window
std_cli widom

# 170 solvent + 1 solute (type 2, eps 1.2): box 6.2 > 2 (rc + skin)
box-init --box 6.2,6.2,6.2 --count 170,1 --eps 1,1.2 --seed 5 -o sys.data
md-run --units lj --data sys.data --ensemble min -o min.nc -q >/dev/null 2>&1
lams="1 0.5 0"
k=0
for l in $lams; do
	expect_ok "md-run nvt --decouple type:2 --lambda $l" md-run --units lj \
		--data sys.data --from min.nc.rst --ensemble nvt --temp 1 --tdamp 0.5 \
		--decouple type:2 --lambda "$l" --steps 1500 --thermo 25 --dump 25 \
		--double -o w$k.nc --thermo-file w$k.thermo -q
	k=$((k + 1))
done
expect_grep "thermo has a dudl column" 'econserved\[eps\] dudl\[eps\]$' w1.thermo
expect_grep "thermo names the decoupled atoms" '^# decouple: type:2 \(1 atoms\)' w1.thermo
expect_grep "thermo gives lambda" '^# lambda: 0.5$' w1.thermo

for k in 0 1 2; do
	expect_ok "fep-window state $k" fep-window --units lj --data sys.data \
		--traj w$k.nc --decouple type:2 --lambdas 1,0.5,0 --state $k --temp 1 \
		-q -o u$k.txt
done
expect_grep "window table: state" '^# state: 1$' u1.txt
expect_grep "window table: lambdas" '^# lambdas: 1 0.5 0$' u1.txt
expect_grep "window table: header" '^# time\[tau\] dudl\[kT\] u_0\[kT\] u_1\[kT\] u_2\[kT\]$' u1.txt
rows=$(grep -vc '^#' u1.txt)
[ "$rows" -eq 61 ] && ok "61 frames, 61 rows" || notok "61 frames gave $rows rows"
fep-window --units lj --data sys.data --traj w1.nc --decouple type:2 --windows 3 \
	--state 1 --temp 1 -q -o u1w.txt
if cmp -s <(grep -v '^#' u1.txt) <(grep -v '^#' u1w.txt); then ok "--windows 3 = --lambdas 1,0.5,0"
else notok "--windows 3 differs from --lambdas 1,0.5,0"; fi

# fep-window's dudl (kT = eps at T 1) is md-run's thermo dudl at the same
# steps (double-precision frames: same positions; 1e-9 relative)
bad=$(awk 'NR == FNR { if ($1 !~ /^#/) d[$1 * 1] = $10; next }
	!/^#/ { s = sprintf("%.0f", $1 / 0.005); x = d[s * 1]; r = $2 - x; if (r < 0) r = -r
		a = x < 0 ? -x : x; if (!(r <= 1e-9 * a + 1e-12)) n++ }
	END { print n + 0 }' w1.thermo u1.txt)
[ "$bad" -eq 0 ] && ok "fep-window dudl = md-run thermo dudl at every frame" || notok "dudl differs in $bad frames"
# --absolute: u at the sampled state is beta pe of md-run's thermo
fep-window --units lj --data sys.data --traj w1.nc --decouple type:2 --lambdas 1,0.5,0 \
	--state 1 --temp 1 --absolute -q -o u1a.txt
bad=$(awk 'NR == FNR { if ($1 !~ /^#/) pe[$1 * 1] = $4; next }
	!/^#/ { s = sprintf("%.0f", $1 / 0.005); x = pe[s * 1]; r = $4 - x; if (r < 0) r = -r
		a = x < 0 ? -x : x; if (!(r <= 1e-9 * a)) n++ }
	END { print n + 0 }' w1.thermo u1a.txt)
[ "$bad" -eq 0 ] && ok "--absolute: u_i = beta pe of md-run at every frame" || notok "--absolute differs in $bad frames"
# differences between states do not depend on --absolute
bad=$(paste <(grep -v '^#' u1.txt) <(grep -v '^#' u1a.txt) | awk '
	{ d1 = $3 - $5; d2 = $8 - $10; r = d1 - d2; if (r < 0) r = -r; if (r > 1e-9) n++ } END { print n + 0 }')
[ "$bad" -eq 0 ] && ok "u_0 - u_2 is the same with --absolute" || notok "--absolute changes u_0 - u_2 in $bad frames"

expect_ok "mbar on the three windows" mbar -q -o dg.txt u0.txt u1.txt u2.txt
dg=$(awk '$1 == "MBAR" {print $2}' dg.txt)
# desolvation of an eps 1.2 solute at rho ~0.72, T 1: a few kT, positive
awk -v g="$dg" 'BEGIN { exit !(g > 0.5 && g < 8) }' && ok "MBAR desolvation dG = $dg kT (0.5..8)" \
	|| notok "MBAR desolvation dG = $dg kT, outside 0.5..8"

# Widom on the lambda = 0 window: solvent particles into the pure solvent,
# beside the LJ equation of state corrected to the cut-off
expect_ok "widom on the lambda = 0 window" widom --units lj --data sys.data \
	--traj w2.nc --decouple type:2 --type 1 --temp 1 --first 20 --insert 10000 -q -o wid.txt
w=$(awk '$1 == "WIDOM" {print $2}' wid.txt)
j=$(awk '$1 == "JZG-CUT" {print $2}' wid.txt)
awk -v w="$w" -v j="$j" 'BEGIN { d = w - j; exit !(d < 0.5 && d > -0.5) }' \
	&& ok "Widom mu_ex $w kT within 0.5 of the EOS $j" || notok "Widom $w vs EOS $j"
# one frame: no error estimate; the nan in the table comes with a warning
expect_ok "widom on one frame" widom --units lj --data sys.data --traj w2.nc \
	--decouple type:2 --type 1 --temp 1 --first 60 --insert 100 -q -o wid1.txt
expect_grep "widom on one frame: err nan" '^WIDOM [-0-9.e]+ nan ' wid1.txt
expect_grep "widom on one frame: warned" '^widom: warning: err is nan .*one frame' "$T/err"

# exact resume with --decouple: SIGTERM, rerun, same bytes
run() { md-run --units lj --data sys.data --from min.nc.rst --ensemble nvt --temp 1 \
	--decouple type:2 --lambda 0.3 --steps 60000 --thermo 200 --dump 2000 \
	--checkpoint 5000 --threads 1 -q -o "$1/t.nc" --thermo-file "$1/thermo.txt"; }
mkdir -p a b
run a
signal_after_checkpoint TERM b/t.nc.rst md-run --units lj --data sys.data --from min.nc.rst \
	--ensemble nvt --temp 1 --decouple type:2 --lambda 0.3 --steps 60000 --thermo 200 \
	--dump 2000 --checkpoint 5000 --threads 1 -q -o b/t.nc --thermo-file b/thermo.txt 2>/dev/null
if [ -f b/t.nc ]; then notok "resume: run finished before the signal (make it longer)"; fi
[ -f b/t.nc.rst ] && ok "resume: checkpoint kept" || notok "resume: no checkpoint"
run b
if cmp -s a/t.nc b/t.nc; then ok "resume with --decouple: trajectory bitwise identical"
else notok "resume with --decouple: trajectory differs"; fi
if cmp -s <(grep -v '^#' a/thermo.txt) <(grep -v '^#' b/thermo.txt); then
	ok "resume with --decouple: thermo (with dudl) identical"
else notok "resume with --decouple: thermo differs"; fi

# SIGTERM and SIGINT while the frames are evaluated: exit 1, and the
# temporary table is removed (no OUT.tmp.* left for nobody to clean up)
md-run --units lj --data sys.data --from min.nc.rst --ensemble nvt --temp 1 \
	--decouple type:2 --lambda 0.3 --steps 8000 --dump 1 --thermo 8000 \
	--threads 1 -q -o many.nc >/dev/null
for sig in TERM INT; do
	(set -m; exec fep-window --units lj --data sys.data --traj many.nc --decouple type:2 \
		--windows 50 --state 1 --temp 1 --absolute -q -o sig.txt 2>sig.err) &
	pid=$!
	i=0
	while ! ls sig.txt.tmp* >/dev/null 2>&1 && kill -0 $pid 2>/dev/null && [ $i -lt 2000 ]; do
		sleep 0.01
		i=$((i + 1))
	done
	kill -s $sig $pid 2>/dev/null
	wait $pid
	rc=$?
	if [ -f sig.txt ]; then notok "SIG$sig: fep-window finished before the signal (make it longer)"
	else
		[ $rc -eq 1 ] && grep -q 'stopped by signal' sig.err &&
			ok "SIG$sig: fep-window exits 1 with a message" ||
			notok "SIG$sig: fep-window exit $rc: $(head -c 200 sig.err)"
		expect_absent "SIG$sig: no table nor temporary left" sig.txt
	fi
	rm -f sig.txt sig.txt.tmp*
done

# bad input: one-line message, exit 1 (data) or 2 (usage), no output left
fw() { fep-window --units lj --data sys.data --traj w1.nc --temp 1 "$@"; }
expect_exit 2 "state index past the schedule" fw --decouple type:2 --lambdas 1,0.5,0 --state 3 -o bad.txt
expect_absent "no table after a bad state" bad.txt
box-init --box 6.2,6.2,6.2 --count 160,1 --seed 5 -o small.data
expect_exit 1 "trajectory/data atom count mismatch" fep-window --units lj --data small.data \
	--traj w1.nc --decouple type:2 --lambdas 1,0.5,0 --state 1 --temp 1 -o bad.txt
expect_absent "no table after an atom count mismatch" bad.txt
expect_exit 1 "decouple a nonexistent atom" fw --decouple 9999 --lambdas 1,0.5,0 --state 1 -o bad.txt
expect_absent "no table after a nonexistent atom" bad.txt
expect_exit 2 "malformed selection" fw --decouple 3-x --lambdas 1,0.5,0 --state 1 -o bad.txt
expect_exit 2 "Coulomb lambda in the schedule" fw --decouple type:2 --lambdas '0.5,1 1,1' --state 1 -o bad.txt
expect_exit 2 "lambda outside [0,1]" fw --decouple type:2 --lambdas 1,1.5,0 --state 1 -o bad.txt
expect_exit 2 "no --decouple" fw --lambdas 1,0.5,0 --state 1 -o bad.txt
expect_exit 2 "both --lambdas and --windows" fw --decouple type:2 --lambdas 1,0 --windows 3 --state 1 -o bad.txt
expect_exit 2 "no --temp" fep-window --units lj --data sys.data --traj w1.nc --decouple type:2 --windows 3 --state 0
expect_exit 1 "missing trajectory" fw --decouple type:2 --windows 3 --state 0 --traj nope.nc -o bad.txt
expect_exit 1 "units mismatch" fep-window --units real --data sys.data --traj w1.nc --decouple type:2 \
	--windows 3 --state 0 --temp 300 -o bad.txt
expect_exit 1 "--first past the end" fw --decouple type:2 --windows 3 --state 0 --first 500 -o bad.txt
expect_absent "no table after any failure" bad.txt
expect_exit 2 "md-run: --lambda without --decouple" md-run --units lj --data sys.data --lambda 0.5
expect_exit 2 "md-run: --lambda 1.5" md-run --units lj --data sys.data --decouple type:2 --lambda 1.5
expect_exit 2 "md-run: Coulomb lambda" md-run --units lj --data sys.data --decouple type:2 --lambda 0.5,1
expect_exit 2 "md-run: --sc-n with gromacs" md-run --units lj --data sys.data --decouple type:2 --sc-form gromacs --sc-n 2
expect_exit 2 "md-run: --sc-power with lammps" md-run --units lj --data sys.data --decouple type:2 --sc-power 2
expect_exit 1 "md-run: decouple a nonexistent atom" md-run --units lj --data sys.data \
	--decouple 9999 --steps 10 -o bad.nc
expect_absent "md-run: no trajectory after a bad selection" bad.nc
expect_exit 2 "widom: no --temp" widom --units lj --data sys.data --traj w2.nc

# ---- man pages: every option of --help documented; the examples run ----
for tool in fep-window widom md-run; do
	missing=
	for o in $($tool --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -qF -- "\\-\\-$(echo "${o#--}" | sed 's/-/\\-/g')" "$TOP/man/man1/$tool.1" ||
			missing="$missing $o"
	done
	[ -z "$missing" ] && ok "$tool.1 documents the options of --help" ||
		notok "$tool.1 lacks$missing"
done
examples() { # the .nf blocks of the EXAMPLES section, as shell
	sed -n '/^\.SH EXAMPLES/,/^\.SH SEE ALSO/p' "$TOP/man/man1/$1.1" |
		sed -n '/^\.nf/,/^\.fi/p' | grep -v -e '^\.nf' -e '^\.fi' | sed 's/\\\\/\\/g'
}
mkdir ex && cd ex || exit 1
examples fep-window >fep.sh
examples widom >widom.sh
expect_ok "fep-window.1 example runs" sh -e fep.sh
expect_grep "fep-window.1 example: an MBAR row" '^MBAR [0-9.e+-]+ [0-9.e+-]+' "$T/out"
expect_ok "widom.1 example runs" sh -e widom.sh
expect_grep "widom.1 example: WIDOM and JZG-CUT rows" '^JZG-CUT ' "$T/out"
cd "$T" || exit 1
finish
