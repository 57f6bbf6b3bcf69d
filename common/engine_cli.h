/* engine_cli: the options and set-up shared by every engine front end
 * (md-run, ehex-gradient): system, start state, force field, neighbour list,
 * outputs, checkpoints. A tool adds its own options to the getopt table
 * and passes the rest here, so the same option means the same thing in
 * every tool. */
#ifndef SK_ENGINE_CLI_H
#define SK_ENGINE_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "decouple.h"
#include "constrain.h"
#include "err.h"
#include "forcefield.h"
#include "md.h"
#include "run.h"
#include "softcore.h"
#include "system.h"

struct engine_cli {
	const char *units, *data, *from, *out, *restart, *thermo_file;
	char *restart_default;
	double dt, temp, vel_temp, cutoff, skin;
	int mixed;                 /* --precision mixed */
	long steps, thermo, dump, ckpt, seed, threads;
	int shift, tail, quiet, progress, traj_double;
	enum lj_mix mix;
	/* decoupling (--decouple, --lambda, --sc-*); see softcore.h */
	const char *decouple;
	struct sc_lambda lambda;
	int sc_form, sc_given;      /* sc_given: bits of --lambda/--sc-* seen */
	double sc_alpha, sc_n, sc_power;
	/* molecular systems (--kspace, --special-*, ...); see forcefield.h */
	struct forcefield_opts ffo;
	int ff_given;               /* one of those options was given */
	/* constraints (--constrain, --shake-*); see constrain.h */
	struct constrain_opts co;
	int co_given;               /* --shake-tol/--shake-iter/--shake-only */
	/* PPPM's FFTW plans (--fftw, --fftw-wisdom); see fft_wisdom.h */
	int fftw_estimate;          /* 1: FFTW_ESTIMATE; 0: FFTW_MEASURE */
	const char *fftw_wisdom_from; /* restart file to import wisdom from */
	char *fftw_wisdom;          /* filled by engine_cli_setup: the wisdom
				       after planning (NULL without PPPM or
				       with ESTIMATE), for the checkpoints */
	/* filled by engine_cli_setup */
	int had_vel;                /* the data file had velocities */
	struct system sys;
	struct state st;
	struct nbr_list *nl;
	struct md md;
	struct rng rng;
	struct softcore sc;         /* used when decouple != NULL */
	struct forcefield ff;       /* used when has_ff */
	int has_ff;                 /* charges, topology or ff options */
	struct decouple dc;         /* decouple with has_ff (decouple.h) */
	int has_dc;
	struct constrain cons;      /* used when has_cons */
	int has_cons;
};

/* First option code used by the engine options; tools number theirs below. */
#define ENGINE_OPT_BASE 1000
extern const struct option engine_longopts[];
extern const size_t engine_nlongopts;
/* Usage lines of the shared options. */
void engine_cli_usage(FILE *fp);

void engine_cli_defaults(struct engine_cli *c);
/* Handle getopt code c; 1 handled, 0 not an engine option, -1 bad value. */
int engine_cli_option(struct engine_cli *c, int code, const char *arg,
		      struct err *e);
/* Validate, read the data file (and --from), create velocities, build the
 * neighbour list and md context. PPPM plans with FFTW_MEASURE (unless
 * --fftw estimate) after importing the wisdom of --from, --fftw-wisdom and
 * an existing checkpoint (c->restart); call it from one thread (FFTW's
 * planner and wisdom are process-global, fft_wisdom.h). Returns ERR_USAGE/ERR_DATA style codes
 * (0 on success). */
int engine_cli_setup(struct engine_cli *c, struct err *e);
/* md-run and ehex-gradient, for time integration: let the engine renumber
 * the atoms at neighbour builds (struct md: reorder) when the system is
 * atomic (no force field, decoupled atoms or constraints) and the
 * dynamics deterministic (not Langevin, whose per-atom noise follows the
 * atom order, which depends on the thread count). */
int engine_cli_allow_reorder(struct engine_cli *c, int langevin,
			     struct err *e);
/* The part of engine_cli_setup that makes the system: --units, --data,
 * --threads and the decoupling (types cloned, c->sc ready). For tools that
 * read trajectories instead of running (fep-window, widom). */
int engine_cli_setup_system(struct engine_cli *c, struct err *e);
/* Run options for run_md from the parsed options. */
struct run_opts engine_cli_run_opts(const struct engine_cli *c,
				    const char *tool, int argc, char **argv,
				    volatile sig_atomic_t *stop);
void engine_cli_free(struct engine_cli *c);

/* The getopt loop of an engine front end: -h prints usage on stdout, the
 * version_code option prints "TOOL (soretkit) VERSION"; -o goes to *out
 * when out is not NULL (else it is the engine's trajectory); codes in
 * [lo, hi) go to tool_opt, all others to engine_cli_option. Returns 0 to
 * go on, 1 when the tool should exit 0 (help or version printed), or
 * ERR_USAGE after printing "TOOL: message" (or the usage). */
typedef int (*engine_tool_opt)(void *ctx, int code, const char *arg,
			       struct err *e);
int engine_cli_getopt(struct engine_cli *c, int argc, char **argv,
		      const struct option *opts, const char *tool,
		      void (*usage)(FILE *), int version_code, int lo, int hi,
		      engine_tool_opt tool_opt, void *ctx, const char **out);

/* Concatenate two getopt tables into out (capacity cap, zero-terminated). */
int engine_cli_merge_opts(struct option *out, size_t cap,
			  const struct option *tool_opts);
/* The same with only the engine options whose names are in names
 * (NULL-terminated), for tools that need a subset. */
int engine_cli_merge_some(struct option *out, size_t cap,
			  const struct option *tool_opts,
			  const char *const *names);

#endif
