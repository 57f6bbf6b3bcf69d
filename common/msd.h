/* msd: mean square displacements of atoms or molecular centres of mass from
 * trajectories (notes/algorithms.md section 5).
 *
 * Kernel (Calandrini, Pellegrini, Calligari, Hinsen, Kneller, Collection SFN
 * 12, 201 (2011)): for one coordinate series x_0..x_{N-1} and lag m,
 *
 *   MSD(m) = 1/(N-m) sum_{k=0}^{N-m-1} (x_{k+m} - x_k)^2 = S1(m) - 2 S2(m),
 *   S2(m)  = 1/(N-m) sum_k x_k x_{k+m}      (zero-padded FFT, length >= 2N)
 *   S1(m)  = Q_m/(N-m), Q_0 = 2 sum_k x_k^2, Q_m = Q_{m-1} - x_{m-1}^2
 *            - x_{N-m}^2.
 *
 * FFTW r2c/c2r plans are made once per series length and executed for every
 * particle and axis. Series are shifted by their first value before the
 * transform so that S1 - 2 S2 does not cancel large absolute positions.
 *
 * Unwrapping (notes 5.2; von Buelow, Bullerjahn, Hummer, JCP 153, 021101
 * (2020)): u_{k+1} = u_k + D, D = w_{k+1} - w_k minus L_{k+1} round(D/L_{k+1})
 * with the box L_{k+1} of the newer frame: correct when the box changes
 * (NPT) as long as no particle moves half a box between two frames.
 *
 * Flow for one replica (one trajectory file), as plan/add/finish:
 *   msd_sel_init(&s, &data, com, groups, ...);       particles and groups
 *   msd_replica_init(&r, &s, nframes, drift, box, &e);
 *   for each frame: msd_replica_add(&r, &frame, &e);
 *   msd_replica_finish(&r, direct, out, &e);         MSD per group, axis
 * Replicas are averaged per lag by the caller (never concatenated).
 *
 * Memory: 3 doubles per tracked particle and frame (a tracked particle is
 * one in at least one group), i.e. 24 bytes x particles x frames. */
#ifndef SK_MSD_H
#define SK_MSD_H

#include <stddef.h>

#include "err.h"
#include "lmp_data.h"
#include "molecules.h"
#include "traj_nc.h"

/* ---- kernel: one scalar series ---------------------------------- */

struct msd_plan {
	size_t n, npad;       /* series length; padded FFT length >= 2n */
	double *buf;          /* [npad] (fftw_malloc) */
	void *spec;           /* fftw_complex[npad/2 + 1] */
	void *fwd, *bwd;      /* fftw_plan r2c and c2r */
};

/* Smallest 2^a 3^b 5^c 7^d >= 2n (fast FFTW sizes). */
size_t msd_fft_size(size_t n);
int msd_plan_init(struct msd_plan *p, size_t n, struct err *e);
void msd_plan_free(struct msd_plan *p);
/* acc[m] += MSD(m) of x[0..n-1], m = 0..n-1, by the FFT algorithm. */
void msd_fft_add(struct msd_plan *p, const double *x, double *acc);
/* The same by the O(n^2) double loop (tests, benchmarks). */
void msd_direct_add(size_t n, const double *x, double *acc);

/* ---- unwrapping -------------------------------------------------- */

/* One step for np particles, positions interleaved xyz ([3*np]): u += the
 * minimum image of w - wprev in the orthorhombic box len (the newer frame's
 * box). Returns the largest |D_a|/len_a seen (after the minimum image; a
 * value near 1/2 means frames are too far apart to unwrap reliably). */
double msd_unwrap_step(size_t np, const double *wprev, const double *w,
		       const double len[3], double *u);

/* ---- particles and groups --------------------------------------- */

struct msd_group {
	const char *name;
	const int *types;     /* atom types (1-based) */
	size_t ntypes;
};

struct msd_sel {
	int com;              /* particles are molecular centres of mass */
	size_t natoms, np;    /* atoms in the system; particles */
	struct molecules mol; /* grouping (com) */
	double *amass;        /* [natoms] atom masses, NULL without Masses */
	double *pmass;        /* [np] particle masses, NULL without Masses */
	size_t ngroups;
	char **gname;         /* [ngroups] */
	size_t *gcount;       /* [ngroups] particles in each group */
	unsigned char *member;/* [np*ngroups] */
	size_t ntrack;        /* particles in at least one group */
	size_t *track;        /* [ntrack] particle index of tracked particle q */
};

/* Particles of the system d: atoms, or (com) molecules. An atom is in a
 * group when its type is listed; a molecule when one of its atoms is. No
 * groups: one group "all" of every particle. Masses are required when
 * need_mass (centres of mass, drift removal). Empty groups are an error. */
int msd_sel_init(struct msd_sel *s, const struct lmp_data *d, int com,
		 int need_mass, const struct msd_group *g, size_t ng,
		 struct err *e);
void msd_sel_free(struct msd_sel *s);

/* ---- one replica ------------------------------------------------- */

struct msd_replica {
	const struct msd_sel *sel;
	size_t n, k;          /* frames planned, frames added */
	int drift;            /* remove the system centre-of-mass drift */
	double box[3];        /* data-file box, for frames without a cell */
	double *w, *wprev, *u;/* [3*np] wrapped, previous wrapped, unwrapped */
	double *ref;          /* [3*ntrack] first-frame values */
	double *series;       /* [(q*3 + c)*n + k] tracked, shifted, drift-free */
	double *time;         /* [n] frame times (engine units) */
	double maxstep;       /* largest |D|/L of any unwrapping step */
};

int msd_replica_init(struct msd_replica *r, const struct msd_sel *s,
		     size_t nframes, int drift, const double box[3],
		     struct err *e);
/* Add the next frame (engine units). Triclinic cells are refused. */
int msd_replica_add(struct msd_replica *r, const struct frame *f,
		    struct err *e);
/* All planned frames added. Frame spacing dt (checked uniform to
 * time_rtol of dt) and, in out[(g*4 + c)*n + m], the MSD of group g at lag
 * m along x, y, z (c = 0..2) and in total (c = 3), averaged over the
 * group's particles. direct: the O(n^2) loop instead of the FFT. */
int msd_replica_finish(struct msd_replica *r, int direct, double time_rtol,
		       double *dt, double *out, struct err *e);
void msd_replica_free(struct msd_replica *r);

/* ---- derived quantities (t_m = m dt, m = 0..n-1) ----------------- */

struct msd_fit {
	double D, D_err;      /* MSD = a + 2 d D t over the window; OLS stderr */
	double intercept;     /* a */
	double loglog;        /* slope of ln MSD against ln t in the window */
	size_t npts;
};

/* Least squares MSD = a + 2 dim D t over lags t0 <= t <= t1 (at least 3
 * lags, t > 0 for the log-log slope). GSL gsl_fit_linear. */
int msd_fit_window(const double *msd, size_t n, double dt, int dim,
		   double t0, double t1, struct msd_fit *f, struct err *e);
/* MSD at lag t, linear interpolation between the bracketing lags. */
int msd_at(const double *msd, size_t n, double dt, double t, double *val,
	   struct err *e);
/* First time sqrt(MSD) reaches dist: the first lag m with MSD(m) >= dist^2,
 * interpolated linearly in MSD between lags m-1 and m. 1 when never
 * reached (*t = NaN). */
int msd_reach(const double *msd, size_t n, double dt, double dist,
	      double *t);
/* Smoothed second derivative of MSD(t): at each lag m, the curvature 2c of
 * the least-squares parabola a + b j + c j^2 through MSD(m+j), |j| <= hw
 * (Savitzky-Golay), using MSD(-j) = MSD(j) (the MSD is even in the lag)
 * near t = 0. d2[m] for m = 0..n-1-hw (NaN beyond). */
int msd_curvature(const double *msd, size_t n, double dt, size_t hw,
		  double *d2, struct err *e);
/* The paper's regime change: the first lag where the smoothed second
 * derivative (= 2 <v(0).v(t)>: the first zero of the velocity
 * autocorrelation) goes from positive to non-positive, interpolated linearly
 * between the two lags. 1 when there is none (*t = NaN); 2 when it lies
 * within the first hw lags (*t set), where the frames do not resolve the
 * ballistic regime: an MSD linear from its first lag has a kink at 0 that
 * the even extension turns into positive curvature. -1 (message) when the
 * MSD has fewer than hw + 2 lags: no sign change can be seen. */
int msd_regime(const double *msd, size_t n, double dt, size_t hw, double *t,
	       struct err *e);

#endif
