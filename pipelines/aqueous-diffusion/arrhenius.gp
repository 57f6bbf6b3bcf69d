# arrhenius.gp: ln D against 1/T for each solute (filled) and water in
# its box (open, dashed); the slope is -Ea/R.
# gnuplot -e "files='diff_methanol.txt ...'; out='arrhenius.png'" arrhenius.gp
set terminal pngcairo size 800,600 noenhanced
set output out
set xlabel '1/T (1/K)'
set ylabel 'ln D (D in A^2/fs)'
set key top right box
set grid
name(f) = f[6:strlen(f)-4]
plot for [i=1:words(files)] '< grep ^solute '.word(files, i) using (1/$2):(log($3)):($4/$3) \
       with yerrorlines lc i pt 7 title name(word(files, i)), \
     for [i=1:words(files)] '< grep ^water '.word(files, i) using (1/$2):(log($3)):($4/$3) \
       with yerrorlines lc i pt 6 dt 2 title 'water ('.name(word(files, i)).' box)'
