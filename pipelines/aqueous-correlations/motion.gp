# motion.gp: the solute's MSD at 170 fs against its molar mass, one line
# per solute; water's (open) for reference.
# gnuplot -e "in='motion.txt'; out='motion.png'" motion.gp
set terminal pngcairo size 800,600 noenhanced
set output out
set logscale x 2
set xlabel 'solute molar mass (g/mol)'
set ylabel 'MSD at 170 fs (A^2)'
set key top right box
set grid
sols = system("awk '!/^#/ {print $1}' ".in." | sort -u | tr '\\n' ' '")
plot for [s in sols] sprintf("< awk '$1==\"%s\"' %s | sort -g -k3", s, in) using 3:4 with linespoints pt 7 title s, \
     in using 3:5 with points pt 6 lc rgb 'gray' title 'water'
