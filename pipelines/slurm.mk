# pipelines/slurm.mk: what scripts/slurm-study needs to know of a study,
# included at the end of each pipeline's Makefile.
#
# A pipeline lists its MD stages in order, each a variable of targets:
#   STAGES        := min nvt eq prod
#   STAGE_min     := runs/a/min.nc runs/b/min.nc ...
#   STAGE_KIND_nvt = corr   (each target needs the previous stage's target
#                            of its own run directory: one array task waits
#                            for one task, Slurm's aftercorr)
#                  = all    (default: waits for the whole previous stage)
# A pipeline whose runs depend on the goals may read SLURM_GOALS: the
# goals given to slurm-study (empty when none, i.e. all), set by it for
# `make slurm-stages` and every job (aqueous-soret: the mass scan's runs
# for `slurm-study submit DIR scan`).
# scripts/slurm-study submits one job array per stage (a task builds one
# target with `make TARGET`, so the cheap steps before it, box-init say,
# run in the same job) and one last job that runs `make` for the rest:
# the analysis, tables and figures.
#
#   make submit [VAR=value ...]    scripts/slurm-study submit . VAR=value ...
#   make slurm-status              scripts/slurm-study status .
#   make slurm-summary             scripts/slurm-study summary .

SLURM_MK_DIR := $(dir $(lastword $(MAKEFILE_LIST)))
SLURM_STUDY ?= $(SLURM_MK_DIR)../scripts/slurm-study

.PHONY: slurm-stages submit slurm-status slurm-summary slurm-cancel

# One line per target: STAGE KIND TARGET.
slurm-stages:
	@$(foreach s,$(STAGES),printf '$(s) $(or $(STAGE_KIND_$(s)),all) %s\n' $(STAGE_$(s));)

# MAKEOVERRIDES holds the command line's VAR=value words, quoted for the
# shell (a value with blanks has them backslash-escaped). sbatch options
# come from its environment: SBATCH_PARTITION, SBATCH_TIMELIMIT, ...
submit:
	$(SLURM_STUDY) submit . $(MAKEOVERRIDES)

slurm-status:
	@$(SLURM_STUDY) status .

slurm-summary:
	@$(SLURM_STUDY) summary .

slurm-cancel:
	@$(SLURM_STUDY) cancel .
