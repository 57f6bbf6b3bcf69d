# fig2ab.gp: desolvation free energy of one solute against temperature by
# MBAR, BAR and TI (paper Fig. 2A for TMAO), with GROMACS's BAR (gmx bar) when gmx
# ran (gmx = its dg table, '' otherwise) and, for methanol (expt = '1'),
# the experimental hydration free energy -5.1 kcal/mol at 298 K as a
# desolvation free energy (+5.1, paper Fig. 2B).
# gnuplot -e "in='dg_tmao.txt'; gmx=''; sol='tmao'; expt=''; out='fig2a.png'" fig2ab.gp
set terminal pngcairo size 800,600 noenhanced
set output out
set xlabel "T (K)"
set ylabel "desolvation free energy (kcal/mol)"
set title sprintf("%s in SPC/E water", sol)
set key top right
set grid
set offsets 5, 5, 0.3, 0.3
p = sprintf("'%s' using 1:2:3 with yerrorlines lw 2 pt 7 title 'soretkit MBAR', '' using ($1 + 1):6:9 with yerrorbars pt 4 title 'BAR', '' using ($1 + 2):7:10 with yerrorbars pt 6 title 'TI'", in)
if (strlen(gmx) > 0) p = p . sprintf(", '%s' using 1:2:3 with yerrorlines lw 2 pt 5 title 'GROMACS (gmx bar)'", gmx)
if (strlen(expt) > 0) p = p . ", \"< echo 298 5.1\" using 1:2 with points pt 9 ps 2 lc rgb 'black' title 'experiment (298 K)'"
eval "plot " . p
