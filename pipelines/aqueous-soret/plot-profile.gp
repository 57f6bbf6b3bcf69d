# T(z), ln m(z) and ln m against T with the fitted S_T, of one run.
# prof: profile-bin table (bin z T T_err c c_err ...); st: its soret-fit.
set terminal pngcairo size 800,900
set output out
set multiplot layout 3,1
set grid
set xlabel "z (A)"
set ylabel "T (K)"
plot prof using 2:3:4 with yerrorlines title "T(z)"
set ylabel "ln m (m: molality, mol/kg)"
plot prof using 2:(log($5)):($6/$5) with yerrorlines title "ln m(z)"
S = real(system("awk '/^# replica/ {for (i = 2; i <= NF; i++) {split($i, a, \"[\"); if (a[1] == \"S_T\") c = i - 1}} !/^#/ && c {print $c; exit}' ".st))
Tm = real(system("awk '!/^#/ && $3 == $3 + 0 {s += $3; n++} END {print s / n}' ".prof))
Lm = real(system("awk '!/^#/ && $5 > 0 {s += log($5); n++} END {print s / n}' ".prof))
set xlabel "T (K)"
plot prof using 3:(log($5)):($6/$5) with yerrorbars title "ln m against T", \
     Lm - S * (x - Tm) title sprintf("slope -S_T, S_T = %.2g 1/K", S)
unset multiplot
