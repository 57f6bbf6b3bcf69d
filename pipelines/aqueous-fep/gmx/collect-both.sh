#!/usr/bin/env bash
# collect-both.sh DIR: dgT-both.sh's runs in DIR as the pipeline's tables
# and figures: dg_<s>.txt (collect-dg over seeds: MBAR mean, SEM, BAR, TI),
# gmx_dg_<s>.txt (T, mean desolvation free energy, error: the larger of
# the SEM over seeds and gmx bar's errors combined, n), eastman_<s>.txt and eastman_gmx_<s>.txt
# (arrhenius, Eq. 1 at 330 K), fig2a.png (TMAO), fig2b.png (methanol,
# with experiment), and with SORET=results.txt of aqueous-soret,
# results.txt and fig2d.png.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
BIN=${BIN:-$top/bin}; P=$top/pipelines/aqueous-fep
cd "$1"
for s in $(ls -d ours_*_T*_s* 2>/dev/null | sed 's/^ours_\(.*\)_T.*/\1/' | sort -u); do
	rm -rf runs; files=
	for d in ours_${s}_T*_s*; do
		[ -s $d/mbar.txt ] || continue
		T=$(echo $d | sed 's/.*_T\([0-9]*\)_s.*/\1/'); r=$(echo $d | sed 's/.*_s//')
		mkdir -p runs/${s}_T${T}_r$r; cp $d/mbar.txt runs/${s}_T${T}_r$r/dg.txt
		files="$files runs/${s}_T${T}_r$r/dg.txt"
	done
	"$P/collect-dg" $files > dg_$s.txt
	{ echo "# T dG err n"
	  for T in $(ls -d gmx_${s}_T*_s* | sed 's/.*_T\([0-9]*\)_s.*/\1/' | sort -un); do
		cat gmx_${s}_T${T}_s*/dg.txt 2>/dev/null | awk '!/^#/ {n++; t = $1; s += $4; s2 += $4 * $4; e2 += $5 * $5}
		END {if (n) {m = s / n; v = 0; if (n > 1) v = (s2 - n * m * m) / (n - 1); er = sqrt(e2) / n
			if (n > 1 && v > 0 && sqrt(v / n) > er) er = sqrt(v / n)
			printf "%s %.4f %.4f %d\n", t, m, er, n}}'
	  done; } > gmx_dg_$s.txt
	"$BIN/arrhenius" --dg dg_$s.txt --dg-kind desolvation --dg-err-col err --temp 330 -q -o eastman_$s.txt
	"$BIN/arrhenius" --dg gmx_dg_$s.txt --dg-kind desolvation --dg-err-col err --temp 330 -q -o eastman_gmx_$s.txt
done
[ -s dg_tmao.txt ] && gnuplot -e "in='dg_tmao.txt'; gmx='gmx_dg_tmao.txt'; sol='tmao'; expt=''; out='fig2a.png'" "$P/fig2ab.gp"
[ -s dg_methanol.txt ] && gnuplot -e "in='dg_methanol.txt'; gmx='gmx_dg_methanol.txt'; sol='methanol'; expt='1'; out='fig2b.png'" "$P/fig2ab.gp"
if [ -n "${SORET:-}" ]; then
	"$P/collect" 330 "$SORET" $(ls eastman_*.txt | grep -v _gmx_) > results.txt
	gnuplot -e "in='results.txt'; out='fig2d.png'" "$P/fig2d.gp"
fi
