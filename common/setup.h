/* setup: load a system and its starting state the way every engine front
 * end does: a LAMMPS data file (--data), optionally overridden by the last
 * frame of an AMBER NetCDF trajectory or restart (--from). */
#ifndef SK_SETUP_H
#define SK_SETUP_H

#include "err.h"
#include "system.h"

/* Replace positions (and velocities and box lengths when present) of st by
 * the last frame of path. Image flags come from a soretkit restart when it
 * stores them, else they are zero. *had_vel tells whether velocities were
 * read. Errors: atom count mismatch, unreadable file. */
int setup_from_traj(const struct system *sys, struct state *st,
		    const char *path, int *had_vel, struct err *e);

/* A data file whose image flags are all zero (or absent, which LAMMPS
 * reads as zero) but whose positions are wrapped has molecules cut by the
 * box; LAMMPS's bonded terms take closest images and do not mind. Each
 * atom then gets the image that keeps its molecule whole, as for a
 * trajectory frame (a whole molecule keeps zero images). Any non-zero flag
 * means the file states its images: they are kept (bonded_check judges
 * them). */
int setup_whole_zero_images(const struct system *sys, struct state *st,
			    struct err *e);

#endif
