/* traj_nc: AMBER-convention NetCDF trajectories and restarts
 * (https://ambermd.org/netcdf/nctraj.xhtml; notes/algorithms.md section 6).
 *
 * The only file that sees netCDF ids. Files are classic 64-bit-offset
 * (CDF-2), Conventions "AMBER" (trajectory, float coordinates/velocities,
 * unlimited frame dimension) or "AMBERRESTART" (one frame, double).
 *
 * Units: callers work in engine units of struct units (real: Å, fs, Å/fs;
 * lj: reduced). traj_nc converts to the file's units (Å, ps, Å/ps for real;
 * reduced values unchanged for lj, marked by the global attribute
 * `soretkit_units = "lj"`). A file without that attribute is read as real.
 *
 * Writers create "<path>.tmp" and rename it to path on traj_nc_close(); a
 * file of an interrupted run therefore never carries the final name. For
 * checkpoints and trajectories that must be resumed the writer can also
 * reopen an existing file for appending (traj_nc_append_open). */
#ifndef SK_TRAJ_NC_H
#define SK_TRAJ_NC_H

#include <stddef.h>

#include "err.h"
#include "units.h"

/* One frame in engine units. Arrays are owned by the caller (writer) or by
 * the frame (reader, see frame_alloc/frame_free). Positions are as stored
 * (usually wrapped into the box); velocities may be NULL. */
struct frame {
	size_t natoms;
	double *x, *y, *z;
	double *vx, *vy, *vz;   /* NULL when absent */
	double time;            /* engine time unit */
	double cell[3];         /* box lengths a, b, c */
	double angle[3];        /* degrees; 90 90 90 for orthorhombic */
	int has_cell;
};

int frame_alloc(struct frame *f, size_t natoms, int with_vel, struct err *e);
void frame_free(struct frame *f);
/* Can the engine use f as it is? Refuses a cell that is not orthorhombic
 * (traj_nc reads any angles; soretkit's boxes have none but 90 degrees)
 * and non-finite positions or velocities (a blown-up run). 0 or -1. */
int frame_check(const struct frame *f, struct err *e);
/* The cell part of frame_check alone (a frame without a cell passes). */
int frame_check_cell(const struct frame *f, struct err *e);

struct traj_nc; /* opaque */

enum { TRAJ_FLOAT = 0, TRAJ_DOUBLE = 1 };

/* Create a trajectory (Conventions "AMBER") at path (written as path.tmp).
 * with_vel: store velocities; precision TRAJ_FLOAT (default, as AMBER) or
 * TRAJ_DOUBLE. title may be NULL. */
int traj_nc_create(struct traj_nc **t, const char *path, size_t natoms,
		   int with_vel, int precision, const struct units *u,
		   const char *title, struct err *e);
/* Reopen an existing trajectory for appending (resume), truncating it to
 * its first nkeep frames (frames written after the checkpoint are dropped). */
int traj_nc_append_open(struct traj_nc **t, const char *path, size_t nkeep,
			const struct units *u, struct err *e);
int traj_nc_append(struct traj_nc *t, const struct frame *f, struct err *e);
/* Flush to disk (nc_sync) so that a reader sees complete frames. */
int traj_nc_sync(struct traj_nc *t, struct err *e);
/* Close; a writer renames path.tmp to path. */
int traj_nc_close(struct traj_nc *t, struct err *e);
/* Close a writer and delete its temporary file. */
void traj_nc_abort(struct traj_nc *t);
/* Close a writer keeping its temporary file as it is (a run stopped by a
 * signal: the next run resumes it with traj_nc_append_open). */
int traj_nc_detach(struct traj_nc *t);

/* Open for reading (trajectory or restart). */
int traj_nc_open(struct traj_nc **t, const char *path, struct err *e);
size_t traj_nc_nframes(const struct traj_nc *t);
size_t traj_nc_natoms(const struct traj_nc *t);
int traj_nc_has_vel(const struct traj_nc *t);
enum units_style traj_nc_units(const struct traj_nc *t);
/* Read frame k (0-based; restart files have one frame) into f, which must
 * have been allocated with natoms atoms (and velocities if wanted; vx NULL
 * means skip them). Converts to engine units of the file's style. */
int traj_nc_read(struct traj_nc *t, size_t k, struct frame *f, struct err *e);

/* Restart files (Conventions "AMBERRESTART", double precision) with named
 * extra double arrays for exact resume (step, thermostat chains, RNG state,
 * eHEX accumulators) and extra texts (FFTW wisdom). Written to path.tmp and
 * renamed atomically. */
struct nc_extra {
	const char *name;   /* netCDF variable name, e.g. "soretkit_step" */
	size_t n;           /* number of doubles */
	double *val;        /* [n]; for reading, filled (allocated by reader) */
};
struct nc_text {
	const char *name;   /* global attribute name, e.g. "soretkit_fftw_wisdom" */
	const char *text;
};
int traj_nc_write_restart(const char *path, const struct frame *f,
			  const struct units *u, const struct nc_extra *extra,
			  size_t nextra, const struct nc_text *text,
			  size_t ntext, struct err *e);
/* Read an extra array by name from an open file (restart or trajectory).
 * Returns 0 and fills *val (malloc'd, *n values), 1 when absent, -1 on error. */
int traj_nc_read_extra(struct traj_nc *t, const char *name, double **val,
		       size_t *n, struct err *e);
/* Read an extra text (global attribute) by name: 0 and *text (malloc'd),
 * 1 when absent, -1 on error. */
int traj_nc_read_text(struct traj_nc *t, const char *name, char **text,
		      struct err *e);

#endif
