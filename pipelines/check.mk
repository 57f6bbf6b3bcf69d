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
