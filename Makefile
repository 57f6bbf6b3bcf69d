# soretkit: GNU make, no autotools. `make` builds the tools into bin/,
# `make check` runs the tests (and the unit tests again under ASan/UBSan),
# `make demo` runs the quick LJ Soret study, `make bench` the benchmarks.
# CFLAGS, LDFLAGS, PREFIX, DESTDIR are yours to override.

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
PKGS      := fftw3 gsl netcdf
OPENMP    ?= -fopenmp
CFLAGS    ?= -O3 -march=native -g
WARN      := -std=c17 -Wall -Wextra -Wshadow -Wno-unused-parameter -D_GNU_SOURCE
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(OPENMP) -Icommon -DSK_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LIBS   = $(PKG_LIBS) $(OPENMP) -lm $(LDFLAGS)

TOOLS     := $(patsubst tools/%.c,%,$(wildcard tools/*.c))
LIB_SRC   := $(wildcard common/*.c)
LIB_OBJ   := $(patsubst common/%.c,build/common/%.o,$(LIB_SRC))
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
ASAN_BIN  := $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
# The sanitizers run twice: on the portable C paths (no -march), and on
# the SIMD paths the real build takes (CFLAGS' -march: AVX-512 kernels,
# list compaction), which the first pass never compiles.
ASAN_ARCH := $(filter -march=% -mcpu=%,$(CFLAGS))
ASANN_BIN := $(if $(ASAN_ARCH),$(patsubst tests/unit/%.c,build/asan-native/tests/%,$(UNIT_SRC)))

.PHONY: all check check-fast unit asan asan-native deps demo bench install clean fuzz check-slurm
all: $(addprefix bin/,$(TOOLS))

deps:
	@scripts/install-deps

build/common/%.o: common/%.c $(wildcard common/*.h)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# pair_ljcoul's pair loop vectorises only without errno on sqrt (its
# arguments are sums of squares, never negative: no errno to lose).
build/common/pair_ljcoul.o: ALL_CFLAGS += -fno-math-errno
build/asan/common/pair_ljcoul.o build/asan-native/common/pair_ljcoul.o: \
	ASAN_FLAGS += -fno-math-errno

build/libsoretkit.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

bin/%: tools/%.c build/libsoretkit.a
	@mkdir -p bin
	$(CC) $(ALL_CFLAGS) $< build/libsoretkit.a $(ALL_LIBS) -o $@

build/tests/%: tests/unit/%.c build/libsoretkit.a tests/check.h tests/lammps_ref.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests $< build/libsoretkit.a $(ALL_LIBS) -o $@

# One sanitizer build in build/$(1), with extra flags $(2).
define asan_build
build/$(1)/common/%.o: common/%.c $$(wildcard common/*.h)
	@mkdir -p $$(@D)
	$$(CC) $$(WARN) $$(OPENMP) -Icommon -DSK_VERSION='"$$(VERSION)"' $$(PKG_CFLAGS) $$(ASAN_FLAGS) $(2) -c $$< -o $$@

build/$(1)/libsoretkit.a: $$(patsubst common/%.c,build/$(1)/common/%.o,$$(LIB_SRC))
	@rm -f $$@
	ar rcs $$@ $$^

build/$(1)/tests/%: tests/unit/%.c build/$(1)/libsoretkit.a tests/check.h tests/lammps_ref.h
	@mkdir -p $$(@D)
	$$(CC) $$(WARN) $$(OPENMP) -Icommon -Itests -DSK_VERSION='"$$(VERSION)"' -DSK_ASAN=1 $$(PKG_CFLAGS) $$(ASAN_FLAGS) $(2) $$< build/$(1)/libsoretkit.a $$(ALL_LIBS) -o $$@
endef
$(eval $(call asan_build,asan,))
$(eval $(call asan_build,asan-native,$(ASAN_ARCH)))

unit: $(UNIT_BIN)
asan: $(ASAN_BIN)
asan-native: $(ASANN_BIN)

# The README's test command. Installs what is missing first.
check: deps
	@$(MAKE) --no-print-directory all unit asan asan-native
	@tests/run build/tests bin build/asan/tests $(if $(ASAN_ARCH),build/asan-native/tests)

# Without the sanitizer pass, for quick iterations.
check-fast: all unit
	@tests/run build/tests bin

demo: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -C pipelines/lj-soret demo

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run

fuzz:
	@$(MAKE) --no-print-directory -C tests/fuzz

check-slurm: deps
	@$(MAKE) --no-print-directory all
	@tests/slurm/run

install: all
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/man/man1"
	install -m 755 $(addprefix bin/,$(TOOLS)) "$(DESTDIR)$(PREFIX)/bin"
	install -m 644 $(wildcard man/man1/*.1) "$(DESTDIR)$(PREFIX)/share/man/man1"
	install -d "$(DESTDIR)$(PREFIX)/share/soretkit/ff"
	install -m 644 $(wildcard share/ff/*.data) share/ff/README.md "$(DESTDIR)$(PREFIX)/share/soretkit/ff"
	install -m 755 share/ff/gen-templates.py "$(DESTDIR)$(PREFIX)/share/soretkit/ff"

clean:
	rm -rf build bin
