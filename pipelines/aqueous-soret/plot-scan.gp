# Fig. 4A's S_T side: S_T against the solute's molar mass, one curve per
# solute (scan.txt from collect).
set terminal pngcairo size 800,600
set output out
set xlabel "solute molar mass (g/mol)"
set ylabel "S_T (1e-3/K)"
set logscale x 2
set key top left
set grid
sols = system("awk '!/^#/ {print $1}' ".in." | sort -u | tr '\\n' ' '")
plot for [s in sols] sprintf("< awk '$1==\"%s\"' %s | sort -g -k3", s, in) using 3:4:5 with yerrorlines title s
