# fig3.gp: measured S_T against the Prigogine prediction (Eq. 2), paper
# Fig. 3, in 1e-3/K: aqueous solutes (results.txt) and, when given, the LJ
# solutes of ../lj-diffusion/results.txt (reduced, times 1000/epskb).
# gnuplot -e "in='results.txt'; lj=''; epskb=119.8; out='fig3.png'" fig3.gp
set terminal pngcairo size 700,700 noenhanced
set output out
set xlabel "S_T Prigogine, Eq. 2 (1e-3/K)"
set ylabel "S_T measured (1e-3/K)"
set key top left
set grid
set xzeroaxis
set yzeroaxis
p = sprintf("x title 'y = x' lc rgb 'gray', '%s' using 7:11:8:12 with xyerrorbars pt 7 ps 1.5 title 'aqueous', '' using 7:11:(sprintf('  %%s', stringcolumn(1))) with labels left notitle", in)
if (strlen(lj) > 0) p = p . sprintf(", '%s' using ($7*1000/%g):($9*1000/%g):($8*1000/%g):($10*1000/%g) with xyerrorbars pt 5 ps 1.5 title 'LJ (lj-diffusion)'", lj, epskb, epskb, epskb, epskb)
eval "plot " . p
