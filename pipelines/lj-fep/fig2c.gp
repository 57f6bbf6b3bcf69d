# fig2c.gp: desolvation free energy against temperature (paper Fig. 2C).
# gnuplot -e "files='dg_e0.5.txt ...'; out='fig2c.png'" fig2c.gp
set terminal pngcairo size 800,600 noenhanced
set output out
set xlabel "T*"
set ylabel "desolvation free energy dG (eps)"
set key top left
set grid
set offsets 0.02, 0.02, 0, 0
plot for [f in files] f using 1:2:3 with yerrorlines lw 2 pt 7 \
     title sprintf("solute eps = %s", substr(f, 5, strlen(f) - 4))
