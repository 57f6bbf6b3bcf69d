# arrhenius.gp: ln D against 1/T* for solute (filled) and solvent (open,
# dashed), one colour per solute eps; the slope is -Ea.
# gnuplot -e "files='diff_e0.5.txt ...'; out='arrhenius.png'"
set terminal pngcairo size 800,600
set output out
set xlabel '1/T*'
set ylabel 'ln D [sigma^2/tau]' noenhanced
set key top right box
set grid
eps(f) = f[7:strlen(f)-4]
plot for [i=1:words(files)] '< grep ^solute '.word(files, i) using (1/$2):(log($3)):($4/$3) \
       with yerrorlines lc i pt 7 title 'solute, eps '.eps(word(files, i)), \
     for [i=1:words(files)] '< grep ^solvent '.word(files, i) using (1/$2):(log($3)):($4/$3) \
       with yerrorlines lc i pt 6 dt 2 title 'solvent, eps '.eps(word(files, i))
