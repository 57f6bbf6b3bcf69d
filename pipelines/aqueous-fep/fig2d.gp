# fig2d.gp: measured S_T (aqueous-soret, filled; the paper's Table 1,
# open) against Eastman's prediction S_T_eq1 (paper Fig. 2D), 1e-3/K.
# gnuplot -e "in='results.txt'; out='fig2d.png'" fig2d.gp
set terminal pngcairo size 700,700 noenhanced
set output out
set xlabel "S_T Eastman, Eq. 1 (1e-3/K)"
set ylabel "S_T measured (1e-3/K)"
set key top left
set grid
set xzeroaxis
set yzeroaxis
plot x title "y = x" lc rgb "gray", \
     in using 6:8:7:9 with xyerrorbars pt 7 ps 1.5 title "aqueous-soret (eHEX)", \
     in using 6:10:7:11 with xyerrorbars pt 6 ps 1.5 title "paper Table 1", \
     in using 6:10:(sprintf("  %s", stringcolumn(1))) with labels left notitle
