# CLI tests of box-init and md-run: options, outputs, bad input, and exact
# resume after SIGTERM and SIGKILL.
. "$TOP/tests/cli/lib.sh"

std_cli box-init
# every long option of --help is documented in the man page
man_lists_help box-init
man_lists_help md-run
std_cli md-run

# The paper's LJ box
expect_ok "box-init builds the paper's LJ system" \
	box-init --box 7.65,7.65,50 --count 2048,80 --eps 1,1.5 --seed 3 -o mix.data
expect_grep "data file has 2128 atoms" '^2128 atoms' mix.data
expect_grep "data file has 2 atom types" '^2 atom types' mix.data
box-init --box 7.65,7.65,50 --count 2048,80 --eps 1,1.5 --seed 3 -o mix2.data
if cmp -s mix.data mix2.data; then ok "box-init: same seed, same file"; else notok "box-init: same seed, same file"; fi
expect_exit 2 "box-init: missing --count" box-init --box 1,1,1 -o x.data
expect_exit 2 "box-init: bad number" box-init --box 1,abc,1 --count 3 -o x.data
expect_exit 2 "box-init: --count beyond a long (undefined conversion)" box-init --box 5,5,5 --count 1e30 -o x.data
expect_exit 1 "box-init: cannot place atoms" box-init --box 2,2,2 --count 500 --min-dist 1 -o x.data
expect_absent "box-init: no file after failure" x.data
expect_exit 1 "box-init: too many atoms for an fcc lattice" box-init --box 5,5,5 --count 1000 --lattice -o x.data
expect_absent "box-init: no file after a lattice too dense" x.data
expect_exit 1 "box-init: box volume overflows (--lattice)" timeout 20 box-init --box 5,5,1e308 --count 100 --lattice -o x.data
expect_exit 2 "box-init: negative --min-dist" box-init --box 5,5,5 --count 10 --min-dist -1 -o x.data
expect_ok "box-init: lattice at liquid density" box-init --box 7.65,7.65,50 --count 2048,80 --lattice -o lat.data
# -o - is stdout; a FIFO (or device) is written in place, not replaced by
# a regular file renamed over it
expect_ok "box-init -o -: data file on stdout" box-init --box 5,5,5 --count 10 -o -
expect_grep "box-init -o -: stdout has the atoms" '^10 atoms' "$T/out"
[ ! -e ./- ] && ok "box-init -o -: no file named -" || notok "box-init -o - wrote a file named -"
mkfifo fifo.data
timeout 20 cat fifo.data >fromfifo.data &
expect_ok "box-init -o FIFO" box-init --box 5,5,5 --count 10 -o fifo.data
wait
[ -p fifo.data ] && grep -q '^10 atoms' fromfifo.data && ok "box-init -o FIFO: written through, FIFO kept" ||
	notok "box-init -o FIFO: FIFO replaced or nothing read"

# --steps 0 evaluates the input state: one thermo row
expect_ok "md-run --steps 0" md-run --units lj --data mix.data -q
rows=$(grep -vc '^#' "$T/out")
[ "$rows" -eq 1 ] && ok "--steps 0 prints one thermo row" || notok "--steps 0 printed $rows rows"
expect_grep "thermo header names the columns" '^# step time\[tau\] temp\[eps/kB\] pe\[eps\] ke\[eps\] etotal\[eps\] press\[eps/sigma\^3\] volume\[sigma\^3\] econserved\[eps\]' "$T/out"

expect_ok "minimise" md-run --units lj --data mix.data --ensemble min -o min.nc -q
expect_ok "nvt from the minimised state" md-run --units lj --data mix.data --from min.nc \
	--ensemble nvt --temp 1 --steps 400 --thermo 100 --dump 100 -o nvt.nc -q
expect_grep "nvt thermo reaches step 400" '^400 ' "$T/out"
# SIGTERM during a long minimisation is honoured at once (a batch system
# sends TERM, then KILL after a grace period): exit 1, nothing written
timeout 30 md-run --units lj --data mix.data --ensemble min --min-style fire --etol 0 \
	--ftol 0 --maxiter 100000000 -o longmin.nc -q >/dev/null 2>minterm.err &
pid=$!
# the output lock is taken before the minimiser works: a second run on
# the same outputs is refused at once, not after its own minimisation
for _ in $(seq 100); do [ -e longmin.nc.lock ] && break; sleep 0.1; done
[ -e longmin.nc.lock ] && ok "a minimisation holds its output lock while it works" ||
	notok "no longmin.nc.lock while the minimiser runs"
expect_exit 1 "a second minimisation on the same outputs is refused" timeout 20 md-run \
	--units lj --data mix.data --ensemble min -o longmin.nc
expect_grep "... saying another run writes them" 'longmin.nc: another run is writing these outputs' "$T/err"
if grep -q 'minimised:' "$T/err"; then notok "the refused run minimised first"; else ok "the refused run did not minimise"; fi
sleep 1
kill -TERM $pid
wait $pid
rc=$?
[ $rc -eq 1 ] && grep -q 'stopped by signal' minterm.err &&
	ok "SIGTERM during minimisation: exit 1 with a message" ||
	notok "SIGTERM during minimisation: exit $rc, $(head -c 200 minterm.err)"
expect_absent "SIGTERM during minimisation: no trajectory" longmin.nc
[ ! -e longmin.nc.lock ] && ok "SIGTERM during minimisation: lock removed" ||
	notok "SIGTERM during minimisation: longmin.nc.lock left"
[ ! -e longmin.nc.rst ] && ok "SIGTERM during minimisation: no restart" || notok "SIGTERM during minimisation: restart written"
[ -f nvt.nc ] && [ -f nvt.nc.rst ] && ok "trajectory and restart written" || notok "trajectory and restart written"

# bad input
expect_exit 2 "no --data" md-run --units lj
expect_exit 2 "unknown ensemble" md-run --units lj --data mix.data --ensemble foo
expect_exit 2 "negative steps" md-run --units lj --data mix.data --steps -5
expect_exit 2 "nvt without --temp" md-run --units lj --data mix.data --ensemble nvt --steps 1
expect_exit 2 "bad units" md-run --units metal --data mix.data
# a word option lists its choices (cli_choice)
msg=$(md-run --units lj --data mix.data --constrain rigid 2>&1 >/dev/null)
[ "$msg" = "md-run: --constrain: 'rigid' is not none, water or hbonds" ] &&
	ok "bad word option names its choices" || notok "bad word option: '$msg'"
msg=$(md-run --units lj --data mix.data --mix lorentz 2>&1 >/dev/null)
[ "$msg" = "md-run: --mix: 'lorentz' is not geometric or arithmetic" ] &&
	ok "bad word option, two choices" || notok "bad word option: '$msg'"
expect_exit 1 "missing data file" md-run --units lj --data nope.data
box-init --box 8,8,8 --count 100 --seed 1 -o small.data
expect_exit 1 "--from with a different atom count" md-run --units lj --data small.data --from nvt.nc --steps 10 -o bad.nc
expect_absent "no output after a failed --from" bad.nc
sed 's/^Pair Coeffs.*/Pair Coeffs # lj\/charmm\/coul\/charmm/' mix.data > charmm.data
expect_exit 1 "unknown pair style" md-run --units lj --data charmm.data
msg=$(md-run --units lj --data charmm.data 2>&1 >/dev/null)
case $msg in *"pair style 'lj/charmm/coul/charmm'"*) ok "unknown pair style is named" ;;
	*) notok "unknown pair style: '$msg'" ;; esac
msg=$(md-run --units lj --data small.data --ensemble nvt --temp 1 --press 1 --steps 2 -q 2>&1 >/dev/null)
[ "$msg" = "md-run: warning: --press is not used by --ensemble nvt" ] &&
	ok "an option of another ensemble draws a warning" || notok "--press with nvt: '$msg'"
awk '/^Pair Coeffs/{skip=1} /^Atoms/{skip=0} !skip' mix.data > nopair.data
expect_exit 1 "missing Pair Coeffs" md-run --units lj --data nopair.data
# two atoms on top of each other: infinite force
awk 'BEGIN{a=0} /^Atoms/{a=1; print; next} a==1 && NF>=5 && $1==2 {$3=x1;$4=y1;$5=z1} a==1 && NF>=5 && $1==1 {x1=$3;y1=$4;z1=$5} {print}' mix.data > overlap.data
expect_exit 1 "overlapping atoms" md-run --units lj --data overlap.data --steps 10 -o ov.nc
expect_absent "no output after overlapping atoms" ov.nc
sed '0,/^1 [12] /s/^\(1 [12]\) [^ ]*/\1 nan/' mix.data > nan.data
expect_exit 1 "NaN coordinate" md-run --units lj --data nan.data
# NetCDF outputs are renamed into place: a FIFO or device must not be
# replaced (as root, -o /dev/null would delete /dev/null); no stdout
mkfifo fifo.nc
expect_exit 2 "-o a FIFO is refused" md-run --units lj --data small.data --steps 2 -o fifo.nc
expect_exit 2 "--restart a FIFO is refused" md-run --units lj --data small.data --steps 2 -o f.nc --restart fifo.nc
expect_exit 2 "--thermo-file a FIFO is refused" md-run --units lj --data small.data --steps 2 --thermo-file fifo.nc
[ -p fifo.nc ] && ok "the FIFO is still a FIFO" || notok "the FIFO was replaced by a regular file"
expect_absent "no trajectory after a refused --restart" f.nc
expect_exit 2 "-o - (NetCDF to stdout) is refused" md-run --units lj --data small.data --steps 2 -o -
[ ! -e ./- ] && ok "-o -: no file named -" || notok "-o - wrote a file named -"

# exact resume: an uninterrupted run, a run stopped by SIGTERM and one
# killed by SIGKILL, each rerun to completion, give the same bytes.
run() { md-run --units lj --data mix.data --from nvt.nc --steps 6000 --thermo 50 \
	--dump 200 --checkpoint 500 --threads 1 -q -o "$1/t.nc" --thermo-file "$1/thermo.txt"; }
mkdir -p a b c
run a
for sig in TERM KILL; do
	d=$([ $sig = TERM ] && echo b || echo c)
	signal_after_checkpoint $sig "$d/t.nc.rst" md-run --units lj --data mix.data --from nvt.nc \
		--steps 6000 --thermo 50 --dump 200 --checkpoint 500 --threads 1 -q -o "$d/t.nc" \
		--thermo-file "$d/thermo.txt" 2>/dev/null
	if [ -f "$d/t.nc" ]; then notok "SIG$sig: run finished before the signal (make it longer)"; fi
	[ -f "$d/t.nc.rst" ] && ok "SIG$sig: checkpoint kept" || notok "SIG$sig: no checkpoint"
	run "$d"
	if cmp -s a/t.nc "$d/t.nc"; then ok "SIG$sig: resumed trajectory bitwise identical"
	else notok "SIG$sig: resumed trajectory differs"; fi
	if cmp -s <(grep -v '^#' a/thermo.txt) <(grep -v '^#' "$d/thermo.txt"); then ok "SIG$sig: resumed thermo identical"
	else notok "SIG$sig: resumed thermo differs"; fi
	[ ! -e "$d/t.nc.lock" ] && ok "SIG$sig: no output lock left after the resumed run" ||
		notok "SIG$sig: $d/t.nc.lock left behind"
done
# the output lock: a second run given the same -o while the first runs
# stops at once with a message, and touches nothing of the first's
mkdir -p lk
md-run --units lj --data mix.data --from nvt.nc --steps 100000000 --checkpoint 500 --threads 1 \
	-q -o lk/t.nc --thermo-file lk/thermo.txt 2>/dev/null &
first=$!
for _ in $(seq 100); do [ -e lk/t.nc.lock ] && break; sleep 0.1; done
[ -e lk/t.nc.lock ] && ok "a running run holds its output lock" || notok "no lk/t.nc.lock while the run runs"
expect_exit 1 "a second run on the same outputs is refused" md-run --units lj --data mix.data \
	--from nvt.nc --steps 100 --threads 1 -q -o lk/t.nc --thermo-file lk/other.txt
expect_grep "the message says another run writes them" 'lk/t.nc: another run is writing these outputs' "$T/err"
kill -0 $first 2>/dev/null && [ -e lk/t.nc.tmp ] && ok "the first run goes on, its temporary in place" ||
	notok "the refused run disturbed the first"
expect_absent "the refused run wrote no thermo file" lk/other.txt
kill -TERM $first
wait $first 2>/dev/null
[ ! -e lk/t.nc.lock ] && [ -e lk/t.nc.rst ] && ok "SIGTERM: checkpoint kept, lock removed" ||
	notok "after SIGTERM: lock $( [ -e lk/t.nc.lock ] && echo left || echo gone), checkpoint $( [ -e lk/t.nc.rst ] && echo kept || echo missing)"
# the checkpoint belongs to the command AND its input files: the same
# command over a data file regenerated after the kill (as make would
# rebuild init.data) is refused, not resumed with the old state
mkdir -p dd
cp mix.data mixd.data
signal_after_checkpoint TERM dd/t.nc.rst md-run --units lj --data mixd.data --from nvt.nc \
	--steps 6000 --checkpoint 500 --threads 1 -q -o dd/t.nc >/dev/null 2>&1
awk '/^Masses/ {m = 1} /^Pair/ {m = 0} m && $1 == 2 && NF == 2 {$2 = 2} {print}' mix.data >mixd.data
cmp -s mix.data mixd.data && notok "test set-up: the data file did not change"
expect_exit 1 "resume over a changed --data file is refused" md-run --units lj --data mixd.data \
	--from nvt.nc --steps 6000 --checkpoint 500 --threads 1 -q -o dd/t.nc
expect_grep "the message names the input files" 'different command or from other input files' "$T/err"
cp mix.data mixd.data
expect_ok "the original file again: the run resumes" md-run --units lj --data mixd.data \
	--from nvt.nc --steps 6000 --checkpoint 500 --threads 1 -q -o dd/t.nc

# provenance of the cost: one "# segment:" line per process that ran (a
# SIGKILLed one cannot write it), the total wall time, before the header
expect_grep "thermo: segment line (steps, wall, cpus, host)" '^# segment: steps=0-6000 wall=[0-9.]+s cpus=1 threads=1 host=' a/thermo.txt
expect_grep "thermo: total wall_time" '^# wall_time: [0-9.]+ s$' a/thermo.txt
[ "$(grep -c '^# segment: ' b/thermo.txt)" -eq 2 ] && ok "thermo: SIGTERM-stopped and resumed run has two segment lines" ||
	notok "thermo: SIGTERM run: $(grep -c '^# segment: ' b/thermo.txt) segment lines, want 2"
awk '/^# step /{h=NR} /^# segment: /{s=NR} END{exit !(s && h == s + 2)}' b/thermo.txt &&
	ok "thermo: segment lines in the provenance block, column header last" ||
	notok "thermo: segment lines misplaced"

# the same at 2 threads: deterministic, and exact across a resume
run2() { md-run --units lj --data mix.data --from nvt.nc --steps 6000 --thermo 50 \
	--dump 200 --checkpoint 500 --threads 2 -q -o "$1/t.nc" --thermo-file "$1/thermo.txt"; }
mkdir -p a2 b2
run2 a2
signal_after_checkpoint TERM b2/t.nc.rst md-run --units lj --data mix.data --from nvt.nc \
	--steps 6000 --thermo 50 --dump 200 --checkpoint 500 --threads 2 -q -o b2/t.nc \
	--thermo-file b2/thermo.txt 2>/dev/null
if [ -f b2/t.nc ]; then notok "2 threads: run finished before the signal (make it longer)"; fi
run2 b2
if cmp -s a2/t.nc b2/t.nc; then ok "2 threads: resumed trajectory bitwise identical"
else notok "2 threads: resumed trajectory differs"; fi
# thermo of 1 and 2 threads: the same dynamics to round-off (chaos makes
# late rows drift apart, so only the first rows after the start)
if awk '!/^#/ && $1 <= 200 {print $6}' a/thermo.txt > e1.txt &&
   awk '!/^#/ && $1 <= 200 {print $6}' a2/thermo.txt > e2.txt &&
   paste e1.txt e2.txt | awk '{d = $1 - $2; if (d < 0) d = -d; s = $1 < 0 ? -$1 : $1
	if (d > 1e-9 * s) bad = 1} END {exit bad || NR == 0}'; then
	ok "1 and 2 threads: etotal equal to 1e-9 over 200 steps"
else notok "1 and 2 threads: etotal differs beyond round-off"; fi
# Frames keep the input atom order (md-run renumbers atoms inside, by
# slab, at each neighbour build): the first frame is the --from state atom
# by atom, and 1 and 2 threads (different inside orders) agree atom by atom
# after 200 steps.
if /usr/bin/python3 -c 'import netCDF4' 2>/dev/null; then
	/usr/bin/python3 - nvt.nc a/t.nc a2/t.nc <<'PY' && ok "frames in input atom order (first frame = --from state; 1 = 2 threads at step 200)" || notok "frames not in input atom order"
import sys, netCDF4, numpy as np
src, one, two = (netCDF4.Dataset(p) for p in sys.argv[1:4])
L = np.array(src["cell_lengths"][-1], dtype=float)
def wrap(x): return x - L * np.floor(x / L)
x0 = wrap(np.array(src["coordinates"][-1], dtype=float))
a = np.array(one["coordinates"][0], dtype=float)
# Frames are float32: two copies of one position differ by a few ulp of
# the box length; 1 and 2 threads differ by summation round-off grown over
# 200 steps, still far below that. A wrong order puts atoms ~sigma apart.
tol = 16 * np.finfo(np.float32).eps * L.max()
d = np.abs(a - x0); d = np.minimum(d, L - d)
assert d.max() < tol, (d.max(), tol)
b1 = np.array(one["coordinates"][1], dtype=float)
b2 = np.array(two["coordinates"][1], dtype=float)
d = np.abs(b1 - b2); d = np.minimum(d, L - d)
assert d.max() < tol, (d.max(), tol)
assert one["coordinates"].shape[1] > 100
PY
else ok "skipped: python3 lacks netCDF4"; fi
# the minimiser's summary reports |F|_2 itself (it printed its square
# root): a run stopped on --ftol reports a force below it
md-run --units lj --data small.data --shift --ensemble min --etol 0 --ftol 1e-3 \
	-o ftol.nc >/dev/null 2>ftol.err
fnorm=$(sed -n 's/.*|f| \([^;]*\);.*/\1/p' ftol.err)
grep -q 'stopped on force tolerance' ftol.err &&
	awk -v f="$fnorm" 'BEGIN { exit !(f != "" && f + 0 < 1e-3) }' &&
	ok "min: reported |f| below --ftol when stopped on it" ||
	notok "min: stopped on ftol 1e-3 but reports |f| '$fnorm': $(head -c 200 ftol.err)"
# langevin has no conserved quantity: econserved is nan, and the man
# page says so (it listed NVE, NVT and NPT only)
expect_ok "langevin thermo" md-run --units lj --data small.data --ensemble langevin --temp 1 --steps 10 -q
awk '!/^#/ && $9 != "nan" { bad = 1 } END { exit bad }' "$T/out" &&
	grep -q 'for langevin' "$TOP/man/man1/md-run.1" &&
	ok "langevin: econserved nan, documented" ||
	notok "langevin: econserved not nan or undocumented"
finish
