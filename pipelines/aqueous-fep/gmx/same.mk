# gmx/same.mk: the GROMACS half of aqueous-fep on exactly our parameters
# and windows (issue 8: "the same TMAO and methanol curves computed with
# GROMACS"): the topology converted from the box's data file by
# scripts/lmp2gmx, our NCOUL + NLJ schedule and soft core. (gmx/gmx.mk, on
# main from h/aqueous, is the paper's GROMACS protocol from oplsaa.ff.)
#   make -f gmx/same.mk GMX=gmx QUICK= TINY= SOLUTES="methanol tmao" \
#        TEMPS="300 330 360" NWAT= BOXL= FF= RUN=
# Per solute and temperature, gmx-runs/<solute>_T<T>/: the box built as the
# pipeline builds it (box-build, same seed as replica 1), converted by
# scripts/lmp2gmx, then run-fep.sh (sd at T, C-rescale at 1 bar, the same
# NCOUL + NLJ windows, 1 fs, the same equilibration/window/skip lengths) ->
# dg.txt (gmx bar). gmx_dg_<solute>.txt: "T dG err n" with dG the
# desolvation free energy (kcal/mol, BAR), as the pipeline's dg tables.
TOP     ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../../..)
BIN     ?= $(TOP)/bin
FF      ?= $(TOP)/share/ff
GMX     ?= gmx
SOLUTES ?= methanol tmao
TEMPS   ?= 300 330 360
RUN     ?=
HERE    := $(TOP)/pipelines/aqueous-fep/gmx

ifeq ($(TINY),1)
NWAT ?= 216
BOXL ?= 19
NCOUL := 2
NLJ := 2
EQ_STEPS ?= 100
WIN_STEPS ?= 100
SKIP_PS ?= 0.02
NSTDHDL ?= 5
RC ?= 0.6
else ifeq ($(QUICK),1)
NWAT ?= 320
BOXL ?= 21.3
NCOUL := 5
NLJ := 10
EQ_STEPS ?= 2000
WIN_STEPS ?= 1000
SKIP_PS ?= 0.2
NSTDHDL ?= 10
RC ?= 0.9
else
NWAT ?= 1217
BOXL ?= 33.15
NCOUL ?= 20
NLJ ?= 20
EQ_STEPS ?= 200000
WIN_STEPS ?= 500000
SKIP_PS ?= 50
NSTDHDL ?= 100
RC ?= 0.9
endif

RUNS := $(foreach s,$(SOLUTES),$(foreach t,$(TEMPS),gmx-runs/$(s)_T$(t)))
par  = $(subst _, ,$(notdir $(1)))

.PHONY: all
.SECONDARY:
.DELETE_ON_ERROR:
all: $(foreach s,$(SOLUTES),gmx_dg_$(s).txt)

gmx-runs/%/box.data:
	@mkdir -p $(@D)
	$(BIN)/box-build --box $(BOXL),$(BOXL),$(BOXL) --mol $(FF)/spce.data:$(NWAT) \
	  --mol $(FF)/$(word 1,$(call par,$*)).data:1:zspread --seed 7990 -q -o $@

gmx-runs/%/dg.txt: gmx-runs/%/box.data
	$(RUN) $(HERE)/run-fep.sh $< $(word 1,$(call par,$*)) $(@D)/run \
	  TEMP=$(patsubst T%,%,$(word 2,$(call par,$*))) PRESS=1 DT=0.001 NCOUL=$(NCOUL) NLJ=$(NLJ) \
	  EQ_STEPS=$(EQ_STEPS) WIN_STEPS=$(WIN_STEPS) SKIP_PS=$(SKIP_PS) NSTDHDL=$(NSTDHDL) \
	  RC=$(RC) GMX=$(GMX) > $@.log
	cp $(@D)/run/dg.txt $@

.SECONDEXPANSION:
gmx_dg_%.txt: $$(foreach t,$$(TEMPS),gmx-runs/$$*_T$$(t)/dg.txt)
	{ echo "# GROMACS ($(GMX) bar): desolvation free energy dG = G(decoupled) - G(coupled), kcal/mol"; \
	  echo "# T[K] dG[kcal/mol] err[kcal/mol] n"; \
	  for f in $^; do awk '!/^#/ { print $$1, $$4, $$5, 1 }' $$f; done; } > $@.tmp && mv $@.tmp $@
