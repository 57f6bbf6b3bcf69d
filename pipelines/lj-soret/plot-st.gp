# S_T against solute mass, one curve per solute epsilon (Fig. 4B's grid).
set terminal pngcairo size 800,600
set output out
set xlabel "solute mass (m/m_solvent)"
set ylabel "S_T (1/T*)"
set logscale x 2
set key top left
set grid
eps_list = system("awk '!/^#/ {print $1}' ".in." | sort -u | tr '\\n' ' '")
plot for [e in eps_list] sprintf("< awk '$1==%s' %s", e, in) using 2:3:4 with yerrorlines title sprintf("eps = %s", e)
