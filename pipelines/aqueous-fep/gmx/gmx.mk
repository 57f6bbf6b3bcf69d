# gmx/gmx.mk: the desolvation free energy of methanol in SPC/E water by
# GROMACS on the same force field (OPLS-AA methanol.itp and spce.itp of
# GROMACS's own oplsaa.ff, the tables share/ff/ was generated from), the
# paper's GROMACS protocol: PME, 9 A cut-offs, leap-frog, Nose-Hoover and
# Parrinello-Rahman (2 ps, compressibility 4.46e-5 /bar), h-bonds
# constrained (water by SETTLE), couple-intramol = no, soft core
# alpha 0.5, power 1, r-power 6, and its 14 steps: Coulomb off in 4
# (delta 0.25), then LJ in 10 (delta 0.1). `gmx bar` over the 15 windows.
# Run from pipelines/aqueous-fep: `make gmx` (see the Makefile). Writes
# gmx-runs/<solute>_T<T>/ and gmx_dg_<solute>.txt (T dG err, kcal/mol;
# the same columns as dg_<solute>.txt's first three).
GMX      ?= gmx
SOLUTES  ?= methanol
TEMPS    ?= 300 330 360
BOXL     ?= 33.15
QUICK    ?= 0
TINY     ?= 0
RUN      ?=
FF       ?= ../../share/ff
ifeq ($(TINY),1)
EQ_STEPS  ?= 50
WIN_STEPS ?= 50
else ifeq ($(QUICK),1)
EQ_STEPS  ?= 2000
WIN_STEPS ?= 1000
else
EQ_STEPS  ?= 200000
WIN_STEPS ?= 200000
endif
ifeq ($(TINY),1)
COUL ?= 0 1 1
VDW  ?= 0 0 1
else
COUL ?= 0 0.25 0.5 0.75 1 1 1 1 1 1 1 1 1 1 1
VDW  ?= 0 0 0 0 0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1
endif
WINS := $(shell seq 0 $$(( $(words $(COUL)) - 1 )))
RES_methanol := MET
ITP_methanol := oplsaa.ff/methanol.itp
G = $(RUN) $(GMX) -quiet -nobackup
EM_STEPS ?= $(if $(filter 1,$(TINY)),50,500)

.PHONY: all
.SECONDARY:
.DELETE_ON_ERROR:
all: $(foreach s,$(SOLUTES),gmx_dg_$(s).txt)

gmx-runs/%/mdp.common:
	@mkdir -p $(@D)
	T=$$(echo $* | sed 's/.*_T//'); printf '%s\n' \
	  "cutoff-scheme = Verlet" "rvdw = 0.9" "rcoulomb = 0.9" "coulombtype = PME" \
	  "vdw-modifier = None" "DispCorr = no" "constraints = h-bonds" "dt = 0.001" \
	  "tcoupl = nose-hoover" "tc-grps = System" "tau-t = 2.0" "ref-t = $$T" "gen-vel = no" \
	  "nstcalcenergy = 10" "nstenergy = 1000" "nstlog = 1000" > $@

gmx-runs/%/topol.top gmx-runs/%/solv.gro: gmx-runs/%/mdp.common
	s=$$(echo $* | sed 's/_T.*//'); cd gmx-runs/$* && \
	awk -v r=$(RES_$(firstword $(subst _T, ,$*))) -v L=$(BOXL) 'BEGIN { n = 0 } \
	  /^Atoms/ { f = 1; next } f && /^[A-Z]/ { f = 0 } \
	  f && NF >= 7 { n++; x[n] = $$5 / 10; y[n] = $$6 / 10; z[n] = $$7 / 10 } \
	  END { print "solute"; print n; for (i = 1; i <= n; i++) \
	    printf "%5d%-5s%5s%5d%8.3f%8.3f%8.3f\n", 1, r, "X" i, i, x[i] + L / 20, y[i] + L / 20, z[i] + L / 20; \
	    printf "%10.5f%10.5f%10.5f\n", L / 10, L / 10, L / 10 }' $(abspath $(FF))/$$s.data > mol.gro && \
	printf '%s\n' '#include "oplsaa.ff/forcefield.itp"' '#include "$(ITP_$(firstword $(subst _T, ,$*)))"' \
	  '#include "oplsaa.ff/spce.itp"' '[ system ]' 'solute in water' '[ molecules ]' \
	  '$(RES_$(firstword $(subst _T, ,$*))) 1' > topol.top && \
	$(G) solvate -cp mol.gro -cs spc216.gro -p topol.top -o solv.gro > solvate.log 2>&1

gmx-runs/%/npt.gro: gmx-runs/%/solv.gro
	cd gmx-runs/$* && printf '%s\n' "integrator = steep" "nsteps = $(EM_STEPS)" "cutoff-scheme = Verlet" \
	  "rvdw = 0.9" "rcoulomb = 0.9" "coulombtype = PME" > em.mdp && \
	$(G) grompp -f em.mdp -c solv.gro -p topol.top -o em.tpr -maxwarn 1 > em.log 2>&1 && \
	$(G) mdrun -nt 1 -deffnm em >> em.log 2>&1 && \
	{ cat mdp.common; printf '%s\n' "integrator = md" "nsteps = $(EQ_STEPS)" "gen-vel = yes" \
	  "gen-temp = $$(echo $* | sed 's/.*_T//')" "pcoupl = C-rescale" "tau-p = 2.0" \
	  "compressibility = 4.46e-5" "ref-p = 1.0"; } | grep -v "^gen-vel = no" > npt.mdp && \
	$(G) grompp -f npt.mdp -c em.gro -p topol.top -o npt.tpr -maxwarn 1 > npt.log 2>&1 && \
	$(G) mdrun -nt 1 -deffnm npt >> npt.log 2>&1

.SECONDEXPANSION:
gmx-runs/%.xvg: $$(dir $$@)npt.gro
	d=$(dir $@); k=$$(basename $* | sed 's/win//'); \
	{ cat $${d}mdp.common; printf '%s\n' "integrator = md" "nsteps = $(WIN_STEPS)" \
	  "pcoupl = Parrinello-Rahman" "tau-p = 2.0" "compressibility = 4.46e-5" "ref-p = 1.0" \
	  "free-energy = yes" "couple-moltype = $(RES_$(firstword $(subst _T, ,$(notdir $(patsubst %/,%,$(dir $*))))))" \
	  "couple-lambda0 = vdw-q" "couple-lambda1 = none" "couple-intramol = no" \
	  "init-lambda-state = $$k" "coul-lambdas = $(COUL)" "vdw-lambdas = $(VDW)" \
	  "sc-alpha = 0.5" "sc-power = 1" "sc-r-power = 6" "nstdhdl = 10" \
	  "calc-lambda-neighbors = -1" "separate-dhdl-file = yes" "dhdl-derivatives = yes"; } > $${d}win$$k.mdp && \
	cd $$d && $(G) grompp -f win$$k.mdp -c npt.gro -t npt.cpt -p topol.top -o win$$k.tpr -maxwarn 2 > win$$k.log 2>&1 && \
	$(G) mdrun -nt 1 -deffnm win$$k -dhdl win$$k.xvg >> win$$k.log 2>&1

gmx-runs/%/bar.txt: $$(foreach k,$$(WINS),gmx-runs/$$*/win$$(k).xvg)
	cd gmx-runs/$* && $(G) bar -f $(foreach k,$(WINS),win$(k).xvg) -o bar.xvg -oi barint.xvg \
	  -temp $$(echo $* | sed 's/.*_T//') > bar.log 2>&1 && \
	awk '/^total/ { v = $$6; e = $$8 } END { if (v == "") exit 1; print v, e }' bar.log > bar.txt

gmx_dg_%.txt: $$(foreach t,$$(TEMPS),gmx-runs/$$*_T$$(t)/bar.txt)
	{ echo "# tool: pipelines/aqueous-fep/gmx/gmx.mk ($$($(GMX) --version 2>/dev/null | awk '/GROMACS version/ {print $$3}'))"; \
	  echo "# dG = G(decoupled) - G(coupled), gmx bar (BAR), couple-intramol = no; kJ/mol / 4.184"; \
	  echo "# T[K] dG[kcal/mol] err[kcal/mol]"; \
	  for t in $(TEMPS); do awk -v t=$$t '{ printf "%s %.6g %.3g\n", t, $$1 / 4.184, $$2 / 4.184 }' gmx-runs/$*_T$$t/bar.txt; done; } > $@.tmp && mv $@.tmp $@
