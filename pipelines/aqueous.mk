# pipelines/aqueous.mk: what the four aqueous studies (aqueous-soret,
# aqueous-fep, aqueous-diffusion, aqueous-correlations) share: the force
# field and its engine options, the solutes, the box builder and the
# solute mass scaling of Fig. 4A. Included by their Makefiles; every
# variable can be overridden on the command line.
#
# Force field (the paper's Methods): SPC/E water with OPLS-AA methanol,
# urea, glucose and Kast et al.'s TMAO (share/ff/, each file cites its
# parameters), LJ cut at 9 A, Coulomb 8.5 A real space + PPPM (relative
# force accuracy 1e-5, LAMMPS's criterion), OPLS special bonds 0/0/0.5,
# geometric mixing, 1 fs steps, rigid water (SETTLE) and X-H bonds by
# SHAKE/RATTLE (`--constrain hbonds`), Nose-Hoover chains of 3 with
# Tdamp 0.1 ps and Pdamp 1 ps.

TOP      ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BIN      ?= $(TOP)/bin
FF       ?= $(TOP)/share/ff
RUN      ?=
THREADS  ?= 1
QUICK    ?= 0
TINY     ?= 0

WATER    ?= spce
CUTOFF   ?= 9
COUL_CUTOFF ?= 8.5
SKIN     ?= 2
KSPACE_ACC ?= 1e-5
CONSTRAIN ?= hbonds
TDAMP    ?= 100
PDAMP    ?= 1000
PRESS    ?= 0.986923
# 1 bar in atm (units real)

# Engine options of every run on these systems (md-run, ehex-gradient,
# fep-window); MIN_OPTS for minimisations (flexible: constraints are
# imposed by the first dynamics run's set-up).
FF_OPTS  = --cutoff $(CUTOFF) --coul-cutoff $(COUL_CUTOFF) \
           --special-lj 0,0,0.5 --special-coul 0,0,0.5 --kspace-accuracy $(KSPACE_ACC)
DYN_OPTS = $(FF_OPTS) --skin $(SKIN) --constrain $(CONSTRAIN) --threads $(THREADS) -q
MIN_OPTS = $(FF_OPTS) --skin $(SKIN) --threads $(THREADS) -q --etol 1e-4 --ftol 1e-6 --maxiter 2000

MD   = $(RUN) $(BIN)/md-run
EHEX = $(RUN) $(BIN)/ehex-gradient

# Water: atom types 1 (O) and 2 (H) of every built box; the solute's types
# follow, so type 3 marks a solute molecule for profile-bin and msd.
WATER_TYPES  := 1,2
SOLUTE_TYPE  := 3
# Molar masses (g/mol) of the templates, for the mass scan's "w" factor
# (the mass of a water molecule) and the tables.
M_water    := 18.0154
M_methanol := 32.0424
M_urea     := 60.0556
M_tmao     := 75.1111
M_glucose  := 180.1559

# Templates: a solute named "water" is an SPC/E molecule counted as a
# solute (Fig. 4A's "water in water" with scaled masses).
template = $(FF)/$(if $(filter water,$(1)),$(WATER),$(1)).data

# mass factor of a name like methanol_m4 or water_m0.5 ("w": a water's mass)
mfac = $(if $(filter w,$(1)),$(shell awk 'BEGIN{printf "%.6g", $(M_water) / $(M_$(2))}'),$(1))

# packmol converges for the dense glucose box (1.36 g/cm^3) at tolerance 1.8
# for every seed, at 2.0 for some only (docs/decisions.md, Building)
tolerance = $(if $(filter glucose,$(1)),--tolerance 1.8)

# Build NWAT waters and NSOL solutes (spread uniformly along z, one per
# layer: a flat initial concentration profile, as the paper) in BOX, then
# scale the solute's masses by FACTOR (1: unchanged).
# $(call build,SOLUTE,FACTOR,SEED,BOX,NWAT,NSOL,OUT)
define build
$(BIN)/box-build --box $(4) --mol $(FF)/$(WATER).data:$(5) \
  --mol $(call template,$(1)):$(6):zspread --seed $(3) $(call tolerance,$(1)) -q -o $(7).tmp
$(TOP)/pipelines/scale-mass $(SOLUTE_TYPE) $(2) $(7).tmp > $(7).tmp2
rm -f $(7).tmp && mv $(7).tmp2 $(7)
endef
