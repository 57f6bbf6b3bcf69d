#!/bin/sh
# compare.sh OURS_DIR GMX_DIR: the hydration free energy (kcal/mol) from
# run-ours.sh's mbar.txt (MBAR, BAR, TI) beside run-fep.sh's dg.txt (gmx
# bar), the difference, the combined error sqrt(e1^2 + e2^2) and their
# ratio; and both beside experiment (-5.1 kcal/mol, 298 K).
set -eu
[ $# -eq 2 ] || { echo "usage: compare.sh OURS_DIR GMX_DIR" >&2; exit 2; }
awk '
	FNR == NR && /^(MBAR|BAR|TI) / { m[$1] = -$4; e[$1] = $5; next }
	FNR != NR && !/^#/ { g = $2; ge = $3 }
	END {
		printf "# hydration free energy dG_hyd = G(coupled) - G(decoupled), kcal/mol\n"
		printf "# code method dG err diff_to_gmx combined_err diff/combined dG-expt(-5.1)\n"
		printf "gromacs BAR %.3f %.3f - - - %+.2f\n", g, ge, g + 5.1
		split("MBAR BAR TI", ms, " ")
		for (i = 1; i <= 3; i++) { k = ms[i]; if (!(k in m)) continue
			c = sqrt(e[k] ^ 2 + ge ^ 2); d = m[k] - g
			printf "soretkit %s %.3f %.3f %+.3f %.3f %.2f %+.2f\n", k, m[k], e[k], d, c, (d < 0 ? -d : d) / c, m[k] + 5.1 }
	}' "$1/mbar.txt" "$2/dg.txt"
