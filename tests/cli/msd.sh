# CLI tests of msd: the man page example on an md-run trajectory, FFT =
# --direct, replicas, --com, summaries, a cross-check against MDAnalysis
# EinsteinMSD, and bad input (exit codes, one-line messages, no output left).
. "$(dirname "$0")/lib.sh"
: "${TOP:?}"
export OMP_NUM_THREADS=1   # md-run: one thread (the tests run beside others)

std_cli msd
man_lists_help msd

# The EXAMPLES of the man page, as written (roff escapes undone): an LJ
# mixture, 201 frames 0.05 tau apart, then msd on it
sed -n '/^\.SH EXAMPLES/,/^\.SH SEE ALSO/p' "$TOP/man/man1/msd.1" |
	awk '/^\.EX/ {on = 1; next} /^\.EE/ {on = 0} on' |
	sed -e 's/\\-/-/g' -e 's/\\e/\\/g' >example.sh
if ! bash -e example.sh >"$T/out" 2>"$T/err"; then
	notok "man page examples ($(head -c 300 "$T/err"))"
	finish
fi
ok "man page examples run"
expect_grep "example: components of the centres of mass" '^# lag\[tau\] msd_all\[sigma\^2\] msdx_all' com.txt
expect_grep "header" '^# lag\[tau\] msd_solvent\[sigma\^2\] msd_solute\[sigma\^2\]$' msd.txt
for key in tool version command data input replicas units dt particles drift \
	algorithm group; do
	expect_grep "provenance '$key'" "^# $key: " msd.txt
done
expect_grep "group counts" '^# group: solute 20 atoms$' msd.txt
rows=$(grep -vc '^#' msd.txt)
[ "$rows" -eq 201 ] && ok "201 lags" || notok "201 lags (got $rows)"
expect_grep "lag 0 is 0" '^0 0 0$' msd.txt
expect_grep "summary header" '^# group D\[sigma\^2/tau\] D_err\[sigma\^2/tau\] D_err_rep\[sigma\^2/tau\] intercept\[sigma\^2\] loglog_slope fit_lags msd_at\[sigma\^2\] t_reach\[tau\] t_regime\[tau\] msd_regime\[sigma\^2\]$' d.txt
expect_grep "summary provenance" '^# fit: MSD = a \+ 6 D t' d.txt
D=$(awk '$1 == "solvent" {print $2}' d.txt)
# LJ liquid near the triple point (rho 0.727 here is lower, T = 1): D of
# order 0.05-0.2 sigma^2/tau
awk -v d="$D" 'BEGIN{exit !(d > 0.02 && d < 0.3)}' && ok "plausible solvent D ($D)" ||
	notok "plausible solvent D ($D)"
# the summary's msd_at equals the table at lag 0.5 (a frame: no interpolation)
at=$(awk '$1 == "solvent" {print $8}' d.txt)
tab=$(awk '!/^#/ && $1 == 0.5 {print $2}' msd.txt)
expect_close "msd_at = the table at lag 0.5" "$at" "$tab" 1e-9
# t_reach: sqrt(MSD) crosses 1 between the two lags around it
tr=$(awk '$1 == "solvent" {print $9}' d.txt)
awk -v t="$tr" 'NR==FNR {next} !/^#/ {if ($2 < 1) lo = $1; else if (!hi) hi = $1}
	END {exit !(t >= lo && t <= hi)}' d.txt msd.txt &&
	ok "t_reach $tr between the lags where MSD crosses 1" || notok "t_reach $tr"

# the FFT equals the double loop (table precision %.10g)
expect_ok "--direct" msd --units lj --data mix.data --direct -o direct.txt t.nc
expect_ok "FFT, one group all" msd --units lj --data mix.data -o fft.txt t.nc
expect_grep "default group all" '^# lag\[tau\] msd_all\[sigma\^2\]$' fft.txt
worst=$(paste <(grep -v '^#' fft.txt) <(grep -v '^#' direct.txt) |
	awk '{d = $2 - $4; if (d < 0) d = -d; if ($4 > 0 && d/$4 > w) w = d/$4} END {printf "%.3g", w + 0}')
awk -v w="$worst" 'BEGIN{exit !(w < 1e-9)}' && ok "FFT = --direct (max rel diff $worst)" ||
	notok "FFT = --direct (max rel diff $worst)"

# two identical replicas average to the same MSD; components add up
expect_ok "two replicas" msd --units lj --data mix.data --components -o two.txt t.nc t.nc
expect_grep "two input lines" '^# replicas: 2 ' two.txt
expect_grep "component columns" '^# lag\[tau\] msd_all\[sigma\^2\] msdx_all\[sigma\^2\] msdy_all\[sigma\^2\] msdz_all\[sigma\^2\]$' two.txt
cmp <(grep -v '^#' fft.txt) <(grep -v '^#' two.txt | awk '{print $1, $2}') >/dev/null &&
	ok "identical replicas give the single-replica MSD" || notok "replica average"
sumc=$(awk '!/^#/ && $1 == 5 {d = $3 + $4 + $5 - $2; if (d < 0) d = -d; print d / $2}' two.txt)
awk -v s="$sumc" 'BEGIN{exit !(s < 1e-8)}' && ok "msdx + msdy + msdz = msd ($sumc)" ||
	notok "components ($sumc)"
# a shorter replica (2.5 tau) ends inside the window 1:5: not fitted over
# a shorter window, but left out of D_err_rep with a warning
md-run --units lj --data mix.data --temp 1 --ensemble nvt --steps 500 --dump 10 \
	-o short.nc -q >/dev/null 2>&1
expect_ok "replicas of different length" msd --units lj --data mix.data --fit 1:5 \
	--summary ds.txt -o ms.txt t.nc short.nc
expect_grep "warning: the short replica is not in D_err_rep" 'D_err_rep from 1 of 2 replicas' "$T/err"
expect_grep "D_err_rep NaN from one replica" '^all [0-9.e+-]+ [0-9.e+-]+ nan ' ds.txt
# --com on an atomic data file: every atom its own molecule, same MSD
expect_ok "--com on atoms" msd --units lj --data mix.data --com -o com.txt t.nc
cmp <(grep -v '^#' fft.txt) <(grep -v '^#' com.txt) >/dev/null &&
	ok "--com of one-atom molecules = atoms" || notok "--com of one-atom molecules"
expect_grep "com provenance" '^# particles: molecular centres of mass$' com.txt
# frame selection: lags are multiples of 2 frames
expect_ok "--first --last --stride" msd --units lj --data mix.data --first 10 \
	--last 110 --stride 2 -o sel.txt t.nc
expect_grep "51 frames selected" '^# input: t.nc frames 10..110 stride 2 \(51\)$' sel.txt
expect_grep "lag spacing 0.1" '^# dt: 0.1 tau' sel.txt
# summary on stderr without --summary; -q and --progress
expect_ok "summary on stderr" msd --units lj --data mix.data --fit 1:5 -o s.txt t.nc
expect_grep "stderr carries the summary" '^all [0-9.e-]+ ' "$T/err"
expect_ok "--progress" msd --progress --units lj --data mix.data -o p.txt t.nc
expect_grep "--progress reports on stderr" '100\.0%' "$T/err"
expect_ok "-q" msd -q --units lj --data mix.data -o p.txt t.nc
[ ! -s "$T/err" ] && ok "-q is quiet" || notok "-q is quiet ($(head -c 200 "$T/err"))"
expect_ok "table on stdout" msd --units lj --data mix.data t.nc
expect_grep "stdout is the table" '^# lag\[tau\] msd_all' "$T/out"
# a non-diffusive window warns
expect_ok "ballistic window" msd --units lj --data mix.data --fit 0:0.15 -o b.txt t.nc
expect_grep "warning for a non-linear window" 'warning: group all: log-log slope' "$T/err"

# Cross-check against MDAnalysis EinsteinMSD. MDAnalysis wants unwrapped
# coordinates: we unwrap the wrapped frames in numpy (independent code,
# same minimum-image rule) and feed a double-precision MemoryReader.
# fft=False: the FFT path needs the tidynamics package, not installed here;
# both give the same numbers. Drift kept on both sides.
PY=/usr/bin/python3
if [ -x "$PY" ] && $PY -c 'import MDAnalysis' 2>/dev/null; then
	msd --units lj --data mix.data --no-drift-removal -o nd.txt t.nc 2>/dev/null
	rel=$($PY -W ignore - <<'PYEOF' 2>"$T/err"
import numpy as np, MDAnalysis as mda
from MDAnalysis.coordinates.memory import MemoryReader
from MDAnalysis.analysis.msd import EinsteinMSD
u = mda.Universe.empty(520, trajectory=True)
u.load_new('t.nc', format='NCDF')
w = np.array([ts.positions.astype(np.float64) for ts in u.trajectory])
L = np.array([ts.dimensions[:3].astype(np.float64) for ts in u.trajectory])
d = np.diff(w, axis=0)
d -= L[1:, None, :] * np.round(d / L[1:, None, :])
uw = np.concatenate([w[:1], w[:1] + np.cumsum(d, axis=0)])
u2 = mda.Universe.empty(520, trajectory=True)
u2.load_new(uw, format=MemoryReader, dtype=np.float64)
m = EinsteinMSD(u2, select='all', msd_type='xyz', fft=False).run()
ours = np.loadtxt('nd.txt')[:, 1]
ref = m.results.timeseries
print("%.3g" % np.max(np.abs(ours[1:] - ref[1:]) / ref[1:]))
PYEOF
)
	awk -v r="$rel" 'BEGIN{exit !(r + 0 == r && r < 1e-4)}' &&
		ok "msd = MDAnalysis EinsteinMSD (max rel diff $rel)" ||
		notok "msd vs MDAnalysis EinsteinMSD ($rel; $(head -c 300 "$T/err"))"
else
	ok "# skip: /usr/bin/python3 with MDAnalysis not available"
fi

# Bad input: exit 1 (data) or 2 (usage), one line, no output left behind
head -c 100000 t.nc >trunc.nc
echo "not a netcdf file" >text.nc
box-init --box 10,10,10 --count 400,20 --seed 1 -o small.data 2>/dev/null
run1() { # what cmd... : exit 1 and no out.txt
	rm -f out.txt
	expect_exit 1 "$@"
	expect_absent "$1: no output" out.txt
}
run1 "truncated trajectory" msd --units lj --data mix.data -o out.txt trunc.nc
run1 "not a NetCDF file" msd --units lj --data mix.data -o out.txt text.nc
run1 "atom count differs from the data file" msd --units lj --data small.data -o out.txt t.nc
run1 "units differ" msd --units real --data mix.data -o out.txt t.nc
run1 "fit window beyond the run" msd --units lj --data mix.data --fit 20:30 -o out.txt t.nc
run1 "fit window ending after the run" msd --units lj --data mix.data --fit 5:20 -o out.txt t.nc
expect_grep "the message names the longest lag" 'ends after the longest lag 10' "$T/err"
run1 "regime width beyond the lags" msd --units lj --data mix.data --regime --regime-width 300 -o out.txt t.nc
run1 "--at beyond the longest lag" msd --units lj --data mix.data --at 50 -o out.txt t.nc
# Real units: frame times are floats in ps, 1 fs apart; the lag column
# gives the spacing that was written (1, 2, 3 fs), not its float rounding
# (0.9999999776 fs)
md-run --data "$FIX/molecular/mix.data" --cutoff 8 --skin 2 --dt 1 --temp 300 \
	--steps 40 --dump 1 -q -o real.nc >/dev/null
msd --data "$FIX/molecular/mix.data" -o real.txt real.nc
awk '!/^#/ && NR > 1 {n++; if ($1 != n - 1) bad = 1} END {exit bad || n != 41}' real.txt &&
	ok "real units: lags are whole fs" ||
	notok "real units: lags $(awk '!/^#/ {printf "%s ", $1}' real.txt | head -c 80)"
rm -f d2.txt
run1 "summary fails: no MSD table either" msd --units lj --data mix.data --at 50 --summary d2.txt -o out.txt t.nc
expect_absent "no summary left" d2.txt
run1 "one frame" msd --units lj --data mix.data --first 5 --last 5 -o out.txt t.nc
run1 "missing data file" msd --units lj --data nope.data -o out.txt t.nc
run1 "missing trajectory" msd --units lj --data mix.data -o out.txt nope.nc
expect_exit 2 "no --data" msd --units lj t.nc
expect_exit 2 "no trajectory" msd --units lj --data mix.data
expect_exit 2 "group type the data file lacks" msd --units lj --data mix.data --group x=3 t.nc
expect_exit 2 "bad group syntax" msd --units lj --data mix.data --group 2 t.nc
expect_exit 2 "group given twice" msd --units lj --data mix.data --group a=1 --group a=2 t.nc
expect_exit 2 "bad fit range" msd --units lj --data mix.data --fit 5:1 t.nc
expect_exit 2 "summary without a derived quantity" msd --units lj --data mix.data --summary s.txt t.nc
expect_exit 2 "unknown units" msd --units cgs --data mix.data t.nc
finish
