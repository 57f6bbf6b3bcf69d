# pipelines/check.mk: checks of the lists and counts a study is run with,
# made when its Makefile is read. Without them REPLICAS=0 (or a typo such
# as REPLICAS=O) or an empty EPS leaves a table's recipe with no input
# files: soret-fit, msd or a collect script then waits for a table on
# stdin, or fails with a message about stdin; and a bad value in a list
# is only found by the first tool that reads it, after minutes of MD for
# some. Included by each pipeline's Makefile after its variables.
#
#   $(call check_list,VAR ...)      each VAR is not empty
#   $(call check_count,VAR ...)     each VAR is a whole number >= 1
#   $(call check_numbers,VAR ...)   each VAR is a list of positive numbers
#   $(call check_numbers_or,W,VAR ...)  the same, the word W allowed too

check_list = $(foreach v,$(1),$(if $(strip $($(v))),,$(error $(v) is empty)))

check_count = $(foreach v,$(1),$(if $(shell printf '%s\n' '$(strip $($(v)))' | \
  grep -qxE '0*[1-9][0-9]*' && echo y),,$(error $(v)=$($(v)): want a whole number >= 1)))

check_numbers_or = $(call check_list,$(2))$(foreach v,$(2),$(foreach w,$(filter-out $(1),$($(v))), \
  $(if $(shell awk 'BEGIN { w = "$(w)"; exit !(w ~ /^\+?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$$/ && w + 0 > 0) }' && echo y),, \
  $(error $(v): '$(w)' is not a positive number))))

check_numbers = $(call check_numbers_or,,$(1))

# $(call check_protocol,VARS): runs/protocol records the values of VARS
# (QUICK, TINY, the run lengths and system sizes: what a run IS, not which
# runs there are) that runs/ was made with. A make with other values stops
# instead of taking the other protocol's finished runs as its own: without
# it, `make demo` (QUICK=1) then the paper's `make` reused the quick
# prod.nc of eps 0.5 and 1.5 in the full results. Not checked for the
# goals that make no run (demo's own make, QUICK=1, checks), not written
# by make -n; written by rename (a Slurm job array's makes start together).
# goals that make no run: they work whatever runs/ holds
protocol_free_goals = clean demo estimate slurm-status slurm-summary slurm-cancel
protocol_now = $(strip $(foreach v,$(1),$(v)=$(strip $($(v)))))
protocol_old = $(strip $(shell cat runs/protocol 2>/dev/null))
protocol_only = $(filter-out $(2),$(1))
check_protocol = $(if $(filter-out $(protocol_free_goals),$(or $(MAKECMDGOALS),all)),$(call \
  protocol_check_,$(call protocol_now,$(1)),$(protocol_old)))
protocol_check_ = $(if $(2),$(if $(call protocol_only,$(1),$(2))$(call \
  protocol_only,$(2),$(1)),$(error runs/ holds the runs of another protocol \
  ($(call protocol_only,$(2),$(1)): runs/protocol) and this make has \
  $(call protocol_only,$(1),$(2)): \
  `make clean` first, or give the same variables)),$(if $(findstring \
  n,$(firstword -$(MAKEFLAGS))),,$(shell mkdir -p runs && t=$$(mktemp \
  runs/.protocol.XXXXXX) && printf '%s\n' '$(1)' > $$t && mv -f $$t runs/protocol)))
