/* fe_window: the window tables of DESIGN.md ("Window tables"), written by
 * fep-window and read by mbar. One table per sampled state:
 *
 *   # tool: fep-window
 *   # state: 2                       <- 0-based index of the sampled state
 *   # lambdas: 0 0.25 0.5 0.75 1     <- whole schedule, one entry per state
 *   # temperature: 300               (optional; K for real, eps/kB for lj)
 *   # units: real                    (optional)
 *   # time[ps] dudl[kT] u_0[kT] u_1[kT] u_2[kT] u_3[kT] u_4[kT]
 *   0.0 12.5 -3.2 -2.9 ...
 *
 * A schedule entry is a number or a `coul,lj` pair; every entry of one
 * schedule has the same form. Reduced potentials u_k are in kT.
 *
 * Decisions where DESIGN.md is silent (mbar(1) repeats them):
 * - u_k cells may be +inf ("inf"): the frame is impossible in state k (a
 *   hard-core overlap), as pymbar allows. NaN and -inf are refused, and a
 *   frame must have a finite energy in its own sampled state.
 * - time (optional column) must increase strictly within a window: a
 *   repeated or decreasing time means concatenated restarts, which break
 *   the correlation analysis (alchemlyb issue 118).
 * - dU/dlambda: one-component schedules use `dudl[kT]`; two-component
 *   schedules use `dudl_coul[kT] dudl_lj[kT]` (derivatives with respect to
 *   each component), or `dudl[kT]` when only one component changes along
 *   the schedule. A single `dudl` with both components changing cannot be
 *   integrated (at the state where the path turns, the two derivatives
 *   differ): the windows are read, TI is not possible (note says why).
 * - Units in brackets, when given, must be kT for u_k and dudl.
 * - Other columns are ignored (room for pV, potential energy, ...). */
#ifndef SK_FE_WINDOW_H
#define SK_FE_WINDOW_H

#include <stddef.h>

#include "err.h"
#include "table.h"

enum { FE_MAXCOMP = 2 };   /* lambda components: 1, or 2 (coul, lj) */

struct fe_windows {
	size_t K;            /* states = schedule length = number of windows */
	size_t N;            /* samples of all windows */
	size_t *N_k;         /* [K] samples drawn from state k */
	size_t *start;       /* [K] first sample of state k (blocks by state) */
	double *u_kn;        /* [K*N] u_kn[k*N + n]: sample n in state k, kT */
	double *time;        /* [N] NAN when the window has no time column */
	int ncomp;           /* lambda components (1 or 2) */
	double *lambda;      /* [K*ncomp] */
	int ndudl;           /* 0 (no dU/dlambda) or ncomp */
	double *dudl;        /* [ndudl*N] dudl[c*N + n], kT per unit lambda */
	double temperature;  /* from "# temperature:"; 0 when unknown */
	char units[8];       /* "real", "lj", "" when unknown */
	char time_unit[32];  /* unit of the time column, "" when none */
	char **source;       /* [K] file of state k */
	long *line;          /* [N] source line of sample n */
	char note[256];      /* a remark worth printing (TI not possible), or "" */
};

/* Read n window files (path "-" is stdin; at most one) into w: the states
 * in schedule order whatever the order of the files. 0 on success;
 * -1 with "file:line: what" on any inconsistency. */
int fe_window_read(struct fe_windows *w, size_t n, const char *const *paths,
		   struct err *e);
void fe_window_free(struct fe_windows *w);

/* Schedule entry k as text ("0.25" or "1,0.5"). */
void fe_window_lambda_str(const struct fe_windows *w, size_t k, char *buf,
			  size_t size);

/* Writing (fep-window): describe the window, open it, add one row per
 * frame, close with table_writer_close() (temp + rename). */
struct fe_window_head {
	size_t state, K;
	int ncomp;               /* 1 or 2 */
	const double *lambda;    /* [K*ncomp] */
	double temperature;      /* 0: not written */
	const char *units;       /* "real", "lj" or NULL: not written */
	const char *time_unit;   /* e.g. "ps", "tau"; NULL: no unit */
	int ndudl;               /* 0, or ncomp dudl columns */
};

/* Open path ("-" or NULL: stdout), write provenance (tool, version,
 * command line), state, lambdas, temperature, units and the header. */
int fe_window_begin(struct table_writer *tw, const char *path,
		    const struct fe_window_head *h, const char *tool,
		    const char *version, int argc, char **argv,
		    struct err *e);
/* One frame: time, dudl[ndudl] (NULL when ndudl = 0), u[K]; full
 * precision (%.17g), +inf written as "inf". */
void fe_window_row(struct table_writer *tw, const struct fe_window_head *h,
		   double time, const double *dudl, const double *u);
/* The whole window at once: time[nrow], dudl[nrow*ndudl] (frame-major),
 * u[nrow*K] (frame-major). */
int fe_window_write(const char *path, const struct fe_window_head *h,
		    size_t nrow, const double *time, const double *dudl,
		    const double *u, const char *tool, const char *version,
		    int argc, char **argv, struct err *e);

#endif
