# fig2d.gp: measured S_T against Eastman's prediction (paper Fig. 2D), in
# reduced units 1/T*: lj-soret's eHEX value (filled) and the paper's Table 1
# (open) against S_T_eq1; a square plot around the points and the origin.
# gnuplot -e "in='results.txt'; out='fig2d.png'" fig2d.gp
set terminal pngcairo size 700,700 noenhanced
set output out
stats in using 6 nooutput
lo = STATS_min < -1.5 ? STATS_min - 1.5 : -1.5
hi = STATS_max > 1.5 ? STATS_max + 1.5 : 1.5
set xrange [lo:hi]
set yrange [lo:hi]
set size square
set xlabel "S_T Eastman, Eq. 1 (1/T*)"
set ylabel "S_T measured (1/T*)"
set key top left
set grid
set xzeroaxis
set yzeroaxis
plot x title "y = x" lc rgb "gray", \
     in using 6:8:7:9 with xyerrorbars pt 7 ps 1.5 title "lj-soret (eHEX)", \
     in using 6:10:7:11 with xyerrorbars pt 6 ps 1.5 title "paper Table 1", \
     in using 6:(valid(8) ? $8 : $10):(sprintf("  eps %s", stringcolumn(1))) \
        with labels left notitle
