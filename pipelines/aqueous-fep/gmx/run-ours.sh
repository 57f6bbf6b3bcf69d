#!/usr/bin/env bash
# run-ours.sh: the same decoupling free energy as run-fep.sh, through
# soretkit (md-run per window, fep-window, mbar) on the same data file,
# force field, lambda states, temperature, step, window and sampling
# lengths, for the side-by-side comparison in README.md.
#
# Usage: run-ours.sh DATA MOLID OUTDIR [VAR=VALUE ...]
#   MOLID    the solute's molecule id (box-build: NWAT + 1)
# Variables (defaults) as run-fep.sh: TEMP=300 NCOUL=20 NLJ=20 DT=2 (fs)
#   EQ_STEPS=10000 WIN_STEPS=10000 SKIP_PS=4 DUMP=50 (steps between frames,
#   run-fep.sh's NSTDHDL) THREADS=1 NICE=0 SEED=1 COUL_CUTOFF=8.5 CUTOFF=9
#   KSPACE_ACC=1e-5 TDAMP=100 (fs) SKIN=2 (A; the box must be 2 (CUTOFF + SKIN))
#   PRESS= (bar; empty: constant volume) PDAMP=1000 (fs)
#   WINDOWS= (state indices to run, e.g. "0 4 8"; default all: several
#   run-ours.sh with disjoint WINDOWS share the work, the last one to
#   finish runs mbar)
# Constant volume (the data file's box), Nose-Hoover chain (md-run nvt), or
# with PRESS the MTK barostat, isotropic (md-run npt; run-fep.sh's GROMACS
# uses C-rescale: both sample the isothermal-isobaric ensemble; mbar needs
# no pV term, it is the same in every state's energy of a frame),
# SETTLE water and SHAKE/RATTLE X-H bonds (--constrain hbonds), soft-core
# LJ of sc-form lammps (alpha 0.5, p 2: GROMACS sc-alpha 0.5, sc-power 2).
# States coupled first (1,1 ... 0,1 ... 0,0), so mbar's dG is the
# desolvation free energy G(decoupled) - G(coupled) (mbar.txt; the
# hydration free energy is its negative).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
BIN=${BIN:-$top/bin}
[ $# -ge 3 ] || { echo "usage: run-ours.sh DATA MOLID OUTDIR [VAR=VALUE ...]" >&2; exit 2; }
data=$(readlink -f "$1") mol=$2 out=$3; shift 3
TEMP=300 NCOUL=20 NLJ=20 DT=2 EQ_STEPS=10000 WIN_STEPS=10000 SKIP_PS=4 DUMP=50
THREADS=1 NICE=0 SEED=1 COUL_CUTOFF=8.5 CUTOFF=9 KSPACE_ACC=1e-5 TDAMP=100 SKIN=2 WINDOWS= PRESS= PDAMP=1000
for kv in "$@"; do
	case $kv in
	TEMP=*|NCOUL=*|NLJ=*|DT=*|EQ_STEPS=*|WIN_STEPS=*|SKIP_PS=*|DUMP=*|THREADS=*|NICE=*|SEED=*|COUL_CUTOFF=*|CUTOFF=*|KSPACE_ACC=*|TDAMP=*|SKIN=*|WINDOWS=*|PRESS=*|PDAMP=*)
		eval "${kv%%=*}=\${kv#*=}" ;;
	*) echo "run-ours.sh: unknown setting $kv" >&2; exit 2 ;;
	esac
done
mkdir -p "$out"; cd "$out"
FF="--cutoff $CUTOFF --coul-cutoff $COUL_CUTOFF --mix geometric --special-lj 0,0,0.5 --special-coul 0,0,0.5 --kspace-accuracy $KSPACE_ACC"
DYN="$FF --skin $SKIN --constrain hbonds --threads $THREADS -q"
ENS="--ensemble nvt"
[ -z "$PRESS" ] || ENS="--ensemble npt --press $PRESS --pdamp $PDAMP"
md() { nice -n "$NICE" "$BIN/md-run" "$@"; }

lambdas=
for k in $(seq 0 "$NCOUL"); do lambdas="$lambdas $(awk -v k="$k" -v n="$NCOUL" 'BEGIN{printf "%g,1", 1 - k/n}')"; done
for k in $(seq 1 "$NLJ"); do lambdas="$lambdas 0,$(awk -v k="$k" -v n="$NLJ" 'BEGIN{printf "%g", 1 - k/n}')"; done
lambdas=${lambdas# }
set -- $lambdas
nstate=$#
skip=$(awk -v s="$SKIP_PS" -v dt="$DT" -v d="$DUMP" 'BEGIN{printf "%d", s * 1000 / dt / d + 0.5}')

[ -n "$WINDOWS" ] || WINDOWS=$(seq 0 $((nstate - 1)))
if [ ! -s eq.nc.rst ]; then
	md --data "$data" --ensemble min $FF --skin $SKIN -q --etol 1e-4 --ftol 1e-6 --maxiter 2000 -o min.nc --thermo-file min.thermo
	md --data "$data" --from min.nc.rst $ENS --temp "$TEMP" --tdamp "$TDAMP" --dt "$DT" --seed "$SEED" \
		$DYN --steps "$EQ_STEPS" --thermo 500 --dump "$EQ_STEPS" -o eq.nc --thermo-file eq.thermo
fi
k=0
for lam in $lambdas; do
	if [ ! -s "win$k.txt" ] && printf ' %s ' $WINDOWS | grep -q " $k "; then
		md --data "$data" --from eq.nc.rst $ENS --temp "$TEMP" --tdamp "$TDAMP" --dt "$DT" \
			--decouple "mol:$mol" --lambda "$lam" $DYN --steps "$WIN_STEPS" --thermo 500 --dump "$DUMP" \
			-o "win$k.nc" --thermo-file "win$k.thermo"
		nice -n "$NICE" "$BIN/fep-window" --data "$data" --traj "win$k.nc" --decouple "mol:$mol" $FF -q \
			--lambdas "$lambdas" --state "$k" --temp "$TEMP" --first "$skip" -o "win$k.txt.tmp"
		mv "win$k.txt.tmp" "win$k.txt"
		rm -f "win$k.nc"
	fi
	k=$((k + 1))
done
for k in $(seq 0 $((nstate - 1))); do [ -s "win$k.txt" ] || exit 0; done
"$BIN/mbar" -q -o mbar.txt $(seq -f 'win%g.txt' 0 $((nstate - 1)))
cat mbar.txt
