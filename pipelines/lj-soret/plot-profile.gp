# T(z) and the solute mole fraction x(z) of one run.
set terminal pngcairo size 800,600
set output out
set multiplot layout 2,1
set xlabel "z (sigma)"
set ylabel "T*"
set grid
plot in using 2:3:4 with yerrorlines title "T(z)"
set ylabel "x_solute"
plot in using 2:5:6 with yerrorlines title "x(z)"
unset multiplot
