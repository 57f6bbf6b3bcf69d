#!/usr/bin/env bash
# dgT-both.sh: desolvation free energy against temperature in both codes,
# side by side on the same boxes (issue 8: Fig. 2A/2B with GROMACS beside
# soretkit). Per solute a 320-water cube (box-build, seed 71), per
# temperature and seed: run-fep.sh (GROMACS, sd + C-rescale) and
# run-ours.sh (md-run, Nose-Hoover + MTK) at 1 bar, 16 states (Coulomb in
# 5, LJ in 10), 10 ps equilibration, 5 ps per state with 1 ps dropped,
# 2 fs. Then collect-both.sh makes the tables and figures.
# Usage: dgT-both.sh OUTDIR [SOLUTES="methanol tmao"] [TEMPS="300 330 360"]
#        [SEEDS="1 2"]   (GROMACS seed = 6 + ours, as the 300 K runs)
# Resumable: finished (code, solute, T, seed) directories are skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
BIN=${BIN:-$top/bin}; FF=${FF:-$top/share/ff}
[ $# -ge 1 ] || { echo "usage: dgT-both.sh OUTDIR [SOLUTES=..] [TEMPS=..] [SEEDS=..]" >&2; exit 2; }
out=$1; shift
SOLUTES="methanol tmao" TEMPS="300 330 360" SEEDS="1 2"
for kv in "$@"; do
	case $kv in
	SOLUTES=*|TEMPS=*|SEEDS=*) eval "${kv%%=*}=\${kv#*=}" ;;
	*) echo "dgT-both.sh: unknown setting $kv" >&2; exit 2 ;;
	esac
done
mkdir -p "$out"; cd "$out"
for s in $SOLUTES; do
	[ -s box_$s.data ] || "$BIN/box-build" --box 21.3,21.3,21.3 --mol "$FF/spce.data:320" \
		--mol "$FF/$s.data:1:zspread" --seed 71 -q -o box_$s.data || exit 1
done
for seed in $SEEDS; do
	for T in $TEMPS; do
		for s in $SOLUTES; do
			g=gmx_${s}_T${T}_s$seed o=ours_${s}_T${T}_s$seed
			echo "$(date +%T) $s $T K seed $seed" >&2
			[ -s $g/dg.txt ] || "$here/run-fep.sh" box_$s.data $s $g TEMP=$T PRESS=1 NCOUL=5 NLJ=10 \
				EQ_STEPS=5000 WIN_STEPS=2500 SKIP_PS=1 NSTDHDL=20 SEED=$((seed + 6)) SC_SIGMA=0.2 > $g.log 2>&1 ||
				echo "dgT-both.sh: GROMACS $s $T K seed $seed failed (see $g.log)" >&2
			[ -s $o/mbar.txt ] || BIN=$BIN "$here/run-ours.sh" box_$s.data 321 $o TEMP=$T PRESS=1 NCOUL=5 NLJ=10 \
				EQ_STEPS=5000 WIN_STEPS=2500 SKIP_PS=1 DUMP=20 SKIN=1 SEED=$seed > $o.log 2>&1 ||
				echo "dgT-both.sh: soretkit $s $T K seed $seed failed (see $o.log)" >&2
		done
	done
done
"$here/collect-both.sh" .
