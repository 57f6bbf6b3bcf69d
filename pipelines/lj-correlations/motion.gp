# motion.gp: time for the solute to move 1 sigma against its mass, one
# line per solute eps; the solvent's time (dashed) for reference.
# gnuplot -e "in='motion.txt'; out='motion.png'"
set terminal pngcairo size 800,600
set output out
set logscale x
set xlabel 'solute mass [m]'
set ylabel 'time to move 1 sigma [tau]'
set key top left box
set grid
epss = system("awk '!/^#/ {print $1}' ".in." | sort -u | tr '\\n' ' '")
plot for [e in epss] in using (($1 == e + 0) ? $2 : NaN):3 with linespoints pt 7 title 'solute, eps '.e, \
     for [e in epss] in using (($1 == e + 0) ? $2 : NaN):4 with lines dt 2 title 'solvent, eps '.e
