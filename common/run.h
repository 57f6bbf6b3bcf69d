/* run: the MD loop shared by md-run and ehex-gradient: steps, thermo table,
 * NetCDF trajectory, periodic checkpoints and exact resume.
 *
 * Outputs are written under temporary names ("<path>.tmp") and renamed when
 * the run completes, so a killed run never leaves a file with a final name.
 * Every ckpt_every steps, and when *stop becomes non-zero (SIGTERM/SIGINT),
 * the trajectory and thermo file are flushed and a restart file (AMBER
 * restart convention, double precision) is written atomically with
 * everything needed to continue bitwise: step, positions, velocities, box,
 * integrator state, hook state, the neighbour list's reference positions,
 * a hash of the command, and the FFTW wisdom of PPPM's plans (imported by
 * engine_cli_setup before planning). Running the same command again
 * resumes from it; the result is bitwise identical to an uninterrupted run
 * with the same FFTW plans. (With FFTW_MEASURE, two runs from scratch may
 * time their way to different plans; --fftw-wisdom or --fftw estimate make
 * them repeat bitwise.) */
#ifndef SK_RUN_H
#define SK_RUN_H

#include <signal.h>

#include "err.h"
#include "integrate.h"
#include "md.h"
#include "table.h"

/* Optional per-step extension (eHEX). Called after each integrator step;
 * may add thermo columns and checkpoint state. */
struct run_hook {
	void *ctx;
	int (*end_of_step)(void *ctx, struct md *m, struct err *e);
	/* Whether the end_of_step after the coming step reads the energies
	 * and virial (m->en); NULL: always. Other steps compute forces only
	 * (an energy pass costs ~1.8x a force pass), as without a hook. */
	int (*wants_energy)(void *ctx);
	size_t nthermo;
	const char *const *thermo_cols;          /* "name[unit]" */
	void (*thermo)(void *ctx, const struct md *m, double *vals);
	size_t (*pack)(const void *ctx, double *buf, size_t max);
	int (*unpack)(void *ctx, const double *buf, size_t n, struct err *e);
	/* Provenance lines for the thermo table, e.g. the slabs. */
	void (*describe)(void *ctx, struct table_writer *w);
};

#define RUN_WISDOM_ATTR "soretkit_fftw_wisdom"

struct run_opts {
	long nsteps;
	long thermo_every;        /* 0: only first and last step */
	long dump_every;          /* 0: no trajectory frames except last */
	long ckpt_every;          /* 0: only on signal and at the end */
	const char *traj_path;    /* NULL: no trajectory */
	int traj_double;          /* store double precision frames */
	const char *rst_path;     /* NULL: no checkpoint/resume */
	const char *fftw_wisdom;  /* NULL, or FFTW wisdom (fft_wisdom.h) that
				     the checkpoint keeps as its global
				     attribute RUN_WISDOM_ATTR: imported
				     before planning, it gives a resumed
				     process the plans, hence the round-off,
				     of the run it continues */
	const char *thermo_path;  /* NULL or "-": stdout */
	int progress;
	const char *tool;
	int argc;
	char **argv;
	volatile sig_atomic_t *stop;
};

/* The output lock: PATH.lock beside the first file output of o (the
 * trajectory, else the checkpoint, else a thermo file), held with flock
 * from run_lock_take to run_lock_drop (which removes the file). A second
 * process taking the lock of the same outputs gets an error naming them.
 * run_md holds it for the run; a caller with work of its own before the
 * run (md-run's minimiser) takes it first and calls run_md_locked. No
 * output file (thermo on stdout only): nothing to lock, l->fd stays -1. */
struct run_lock {
	int fd;     /* -1: none held */
	char *path;
};
int run_lock_take(struct run_lock *l, const struct run_opts *o,
		  struct err *e);
void run_lock_drop(struct run_lock *l);

/* Hash of the command line that identifies a run for resume (options that
 * do not change the trajectory, -q --progress --threads, are skipped). */
double run_command_hash(int argc, char **argv);

/* Run o->nsteps steps from the current state (or resume from o->rst_path
 * when it holds an unfinished run of the same command). Returns 0 when
 * complete, 1 when stopped by *stop after writing a checkpoint, -1 on error
 * (outputs removed, the last checkpoint kept). */
int run_md(struct md *m, struct integrator *it, const struct run_opts *o,
	   const struct run_hook *hook, struct err *e);
/* run_md for a caller that holds the output lock (run_lock_take). */
int run_md_locked(struct md *m, struct integrator *it,
		  const struct run_opts *o, const struct run_hook *hook,
		  struct err *e);

/* Write st (and velocities) as a one-frame trajectory + restart, for
 * minimisation and --steps 0. */
int run_write_state(const struct md *m, const char *traj_path,
		    const char *rst_path, struct err *e);

#endif
