# correlate (soretkit) 0.1.0: S_T against msd_solute
set terminal pngcairo size 800,600
set output 'fig4a.png.tmp'
set xlabel 'msd_solute[A^2]' noenhanced
set ylabel 'S_T[1e-3/K]' noenhanced
set title 'n = 3, Pearson r = -0.540 (p = 0.64), Spearman rho = -0.500 (p = 0.67)'
set key below box
set grid
set xzeroaxis lt -1
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
set arrow from 0.263541, graph 0 to 0.263541, graph 1 nohead dt 2 lw 2 lc rgb 'dark-orange'
a = 54.161012868126448
b = -249.77776344318227
f(x) = a + b*x
plot 'fig4a.dat' using 2:3:4 with yerrorbars pt 7 title 'data', f(x) lw 2 title 'least squares', '+' using (0.21683680773467501):(0) with points pt 6 ps 3 lw 2 title sprintf('y = 0 at x = %.3g', 0.21683680773467501), NaN with lines dt 2 lw 2 lc rgb 'dark-orange' title 'water: MSD at 170 fs: x = 0.2635'
