/* minimize: energy minimisation with the meaning of LAMMPS (29Sep2021)
 * `minimize etol ftol maxiter maxeval`.
 *
 * FIRE: the FIRE 2.0 variant that is LAMMPS's `min_style fire` (Guenole et
 * al., Comput. Mater. Sci. 175, 109584 (2020); Bitzek et al., PRL 97,
 * 170201 (2006)), semi-implicit Euler, with the LAMMPS min_modify defaults
 * printed in its log: dmax 0.1, delaystep 20, dtgrow 1.1, dtshrink 0.5,
 * alpha0 0.25, alphashrink 0.99, tmax 10, tmin 0.02, halfstepback yes,
 * initialdelay yes, vdfmax 2000. Its velocities are private: st->v is left
 * as it was (LAMMPS would overwrite atom velocities).
 *
 * CG: Polak-Ribiere conjugate gradients (restart when not downhill and
 * every 3N iterations) with the LAMMPS default quadratic line search
 * (min_linesearch.cpp linemin_quadratic, after Dennis & Schnabel).
 *
 * Stopping criteria, as LAMMPS: |E1 - E0| < etol 0.5 (|E1| + |E0| + 1e-8),
 * |F|_2 < ftol, iterations >= maxiter, force evaluations >= maxeval.
 * As LAMMPS with its default thermo normalisation, energies inside the
 * minimiser are per atom in lj units and total in real units; this only
 * matters through the absolute constants 1e-8 above and in the line search.
 * Positions move; the neighbour list follows through md_forces. The box,
 * velocities and st->step are not changed. */
#include "integrate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS_ENERGY 1.0e-8       /* min.cpp: energy tolerance normalisation */

/* min_linesearch.cpp constants */
#define ALPHA_MAX 1.0           /* largest step along the search direction */
#define ALPHA_REDUCE 0.5        /* backtracking factor */
#define BACKTRACK_SLOPE 0.4     /* sufficient decrease (Armijo) */
#define QUADRATIC_TOL 0.1       /* relative error allowed for the secant step */
#define EMACH 1.0e-8            /* energy changes below this are noise */
#define EPS_QUAD 1.0e-28

/* FIRE 2.0 parameters: LAMMPS min_modify defaults */
#define FIRE_DELAYSTEP 20
#define FIRE_DTGROW 1.1
#define FIRE_DTSHRINK 0.5
#define FIRE_ALPHA0 0.25
#define FIRE_ALPHASHRINK 0.99
#define FIRE_TMAX 10.0
#define FIRE_TMIN 0.02
#define FIRE_VDFMAX 2000

enum stop {
	MAXITER, MAXEVAL, ETOL, FTOL, DOWNHILL, ZEROALPHA, ZEROFORCE,
	ZEROQUAD, MAXVDOTF, INTERRUPTED
};

static const char *const stop_strings[] = {
	"max iterations", "max force evaluations", "energy tolerance",
	"force tolerance", "search direction is not downhill",
	"linesearch alpha is zero", "forces are zero",
	"quadratic factors are zero", "max iterations with v.f negative",
	"signal",
};

struct minimizer {
	struct md *m;
	const struct min_opts *o;
	double norm;              /* energies and f.h are divided by this */
	double dmax;
	long niter, neval;
	double ecurrent, eprevious;
	int err;                  /* md_forces failed: message in *e */
	struct err *e;
	/* work vectors, 3 per atom (x,y,z blocks of n) */
	double *g, *h, *x0, *v;
	int *img0;
};

/* Forces and energy at the current positions (LAMMPS energy_force). */
static double energy_force(struct minimizer *mn)
{
	if (mn->err)
		return mn->ecurrent;
	if (md_forces(mn->m, mn->e) != 0) {
		mn->err = 1;
		return mn->ecurrent;
	}
	return energy_pe(&mn->m->en) / mn->norm;
}

static double fnorm_sqr(const struct state *st)
{
	double s = 0.0;
	for (size_t i = 0; i < st->n; i++)
		s += st->fx[i] * st->fx[i] + st->fy[i] * st->fy[i] +
		     st->fz[i] * st->fz[i];
	return s;
}

static double fnorm_inf(const struct state *st)
{
	double s = 0.0;
	for (size_t i = 0; i < st->n; i++) {
		s = fmax(s, fabs(st->fx[i]));
		s = fmax(s, fabs(st->fy[i]));
		s = fmax(s, fabs(st->fz[i]));
	}
	return s;
}

static int energy_converged(double ecur, double eprev, double etol)
{
	return fabs(ecur - eprev) <
	       etol * 0.5 * (fabs(ecur) + fabs(eprev) + EPS_ENERGY);
}

/* ---- FIRE ------------------------------------------------------------- */

static int fire_iterate(struct minimizer *mn, long maxiter)
{
	struct md *m = mn->m;
	struct state *st = m->st;
	const double *mass = m->sys->mass;
	double ftm2v = m->sys->units.ftm2v;
	size_t n = st->n;
	double *vx = mn->v, *vy = mn->v + n, *vz = mn->v + 2 * n;
	double dt = mn->o->dt;
	double dtmax = FIRE_TMAX * dt, dtmin = FIRE_TMIN * dt;
	double alpha = FIRE_ALPHA0;
	long ntimestep = 0, last_negative = 0, ntimestep_start = 0;
	long vdotf_negatif = 0;
	int flagv0 = 1;         /* velocities start at zero (setup_style) */

	memset(mn->v, 0, 3 * n * sizeof *mn->v);
	for (long iter = 0; iter < maxiter; iter++) {
		if (mn->o->stop && *mn->o->stop)
			return INTERRUPTED;
		ntimestep++;
		mn->niter++;

		double vdotf = 0.0;
		for (size_t i = 0; i < n; i++)
			vdotf += vx[i] * st->fx[i] + vy[i] * st->fy[i] +
				 vz[i] * st->fz[i];

		/* P = F.v > 0: mix v towards F, v = (1-a) v + a |v| F/|F|,
		 * and after delaystep good steps grow dt and shrink a. */
		double scale1 = 0.0, scale2 = 0.0;
		if (vdotf > 0.0) {
			double vdotv = 0.0, fdotf = fnorm_sqr(st);
			for (size_t i = 0; i < n; i++)
				vdotv += vx[i] * vx[i] + vy[i] * vy[i] +
					 vz[i] * vz[i];
			vdotf_negatif = 0;
			scale1 = 1.0 - alpha;
			scale2 = fdotf <= 1e-20 ? 0.0 : alpha * sqrt(vdotv / fdotf);
			if (ntimestep - last_negative > FIRE_DELAYSTEP) {
				dt = fmin(dt * FIRE_DTGROW, dtmax);
				alpha *= FIRE_ALPHASHRINK;
			}
		} else {
			/* Uphill: reset a, shrink dt (not in the first
			 * delaystep steps), step half back, stop. */
			last_negative = ntimestep;
			int delayflag = !(ntimestep - ntimestep_start <
					  FIRE_DELAYSTEP);
			if (delayflag) {
				alpha = FIRE_ALPHA0;
				if (dt * FIRE_DTSHRINK >= dtmin)
					dt *= FIRE_DTSHRINK;
			}
			vdotf_negatif++;
			if (FIRE_VDFMAX > 0 && vdotf_negatif > FIRE_VDFMAX)
				return MAXVDOTF;
			for (size_t i = 0; i < n; i++) {
				st->x[i] -= 0.5 * dt * vx[i];
				st->y[i] -= 0.5 * dt * vy[i];
				st->z[i] -= 0.5 * dt * vz[i];
			}
			memset(mn->v, 0, 3 * n * sizeof *mn->v);
			flagv0 = 1;
		}

		/* After a restart, estimate the velocity of one step to limit
		 * the time step below. */
		if (flagv0) {
			energy_force(mn);
			mn->neval++;
			if (mn->err)
				return -1;
			double dtf = dt * ftm2v;
			for (size_t i = 0; i < n; i++) {
				double dtfm = dtf / mass[i];
				vx[i] = dtfm * st->fx[i];
				vy[i] = dtfm * st->fy[i];
				vz[i] = dtfm * st->fz[i];
			}
		}

		/* No coordinate may move more than dmax. */
		double dtv = dt;
		for (size_t i = 0; i < n; i++) {
			double vmax = fmax(fabs(vx[i]), fabs(vy[i]));
			vmax = fmax(vmax, fabs(vz[i]));
			if (dtv * vmax > mn->dmax)
				dtv = mn->dmax / vmax;
		}
		if (flagv0)
			memset(mn->v, 0, 3 * n * sizeof *mn->v);

		/* Semi-implicit Euler: v += dt F/m, mix, x += dt v. */
		double dtf = dtv * ftm2v;
		for (size_t i = 0; i < n; i++) {
			double dtfm = dtf / mass[i];
			vx[i] += dtfm * st->fx[i];
			vy[i] += dtfm * st->fy[i];
			vz[i] += dtfm * st->fz[i];
			if (vdotf > 0.0) {
				vx[i] = scale1 * vx[i] + scale2 * st->fx[i];
				vy[i] = scale1 * vy[i] + scale2 * st->fy[i];
				vz[i] = scale1 * vz[i] + scale2 * st->fz[i];
			}
			st->x[i] += dtv * vx[i];
			st->y[i] += dtv * vy[i];
			st->z[i] += dtv * vz[i];
		}
		mn->eprevious = mn->ecurrent;
		mn->ecurrent = energy_force(mn);
		mn->neval++;
		if (mn->err)
			return -1;
		flagv0 = 0;

		/* Energy criterion only once the dynamics has run delaystep
		 * steps since the last stop. */
		if (mn->o->etol > 0.0 &&
		    ntimestep - last_negative > FIRE_DELAYSTEP &&
		    energy_converged(mn->ecurrent, mn->eprevious, mn->o->etol))
			return ETOL;
		if (mn->o->ftol > 0.0 &&
		    fnorm_sqr(st) < mn->o->ftol * mn->o->ftol)
			return FTOL;
		if (mn->neval >= mn->o->maxeval)
			return MAXEVAL;
	}
	return MAXITER;
}

/* ---- CG with the quadratic line search -------------------------------- */

/* x = x0 + alpha h, then forces (LAMMPS alpha_step). x0 was stored with
 * the image flags img0: an atom wrapped by a neighbour rebuild since then
 * is put back in the same periodic image before the step. */
static double alpha_step(struct minimizer *mn, double alpha)
{
	struct state *st = mn->m->st;
	size_t n = st->n;
	double *pos[3] = {st->x, st->y, st->z};
	int *img[3] = {st->ix, st->iy, st->iz};
	for (int a = 0; a < 3; a++) {
		const double *x0 = mn->x0 + a * n, *h = mn->h + a * n;
		const int *i0 = mn->img0 + a * n;
		for (size_t i = 0; i < n; i++) {
			pos[a][i] = x0[i];
			if (img[a][i] != i0[i])
				pos[a][i] += (i0[i] - img[a][i]) * st->len[a];
			if (alpha > 0.0)
				pos[a][i] += alpha * h[i];
		}
	}
	mn->neval++;
	return energy_force(mn);
}

/* f.h and f.f over all atoms (atom-major order, as LAMMPS's x[i][k]). */
static void dots(const struct minimizer *mn, const double *v, double *ff,
		 double *fv)
{
	const struct state *st = mn->m->st;
	size_t n = st->n;
	double s0 = 0.0, s1 = 0.0;
	for (size_t i = 0; i < n; i++) {
		s0 += st->fx[i] * st->fx[i] + st->fy[i] * st->fy[i] +
		      st->fz[i] * st->fz[i];
		s1 += st->fx[i] * v[i] + st->fy[i] * v[n + i] +
		      st->fz[i] * v[2 * n + i];
	}
	*ff = s0;
	*fv = s1;
}

static int linemin_quadratic(struct minimizer *mn, double eoriginal)
{
	struct state *st = mn->m->st;
	size_t n = st->n;
	double ff, fdothall, hmaxall = 0.0;

	/* Projection of the search direction on the downhill gradient. */
	dots(mn, mn->h, &ff, &fdothall);
	fdothall /= mn->norm;
	if (fdothall <= 0.0)
		return DOWNHILL;

	/* No coordinate moves more than dmax, and alpha <= ALPHA_MAX. */
	for (size_t k = 0; k < 3 * n; k++)
		hmaxall = fmax(hmaxall, fabs(mn->h[k]));
	if (hmaxall == 0.0)
		return ZEROFORCE;
	double alphamax = fmin(ALPHA_MAX, mn->dmax / hmaxall);

	memcpy(mn->x0, st->x, n * sizeof *st->x);
	memcpy(mn->x0 + n, st->y, n * sizeof *st->y);
	memcpy(mn->x0 + 2 * n, st->z, n * sizeof *st->z);
	memcpy(mn->img0, st->ix, n * sizeof *st->ix);
	memcpy(mn->img0 + n, st->iy, n * sizeof *st->iy);
	memcpy(mn->img0 + 2 * n, st->iz, n * sizeof *st->iz);

	/* Backtrack from alphamax until the energy decrease is sufficient, or
	 * until the energy is locally quadratic, then take the secant step
	 * to f.h = 0 (written with gradients, which are known better than
	 * the energy difference near a minimum). */
	double alpha = alphamax, fhprev = fdothall, engprev = eoriginal;
	double alphaprev = 0.0;
	for (;;) {
		mn->ecurrent = alpha_step(mn, alpha);
		if (mn->err)
			return -1;
		double fh;
		dots(mn, mn->h, &ff, &fh);
		ff /= mn->norm;
		fh /= mn->norm;
		double delfh = fh - fhprev;

		if (fabs(fh) < EPS_QUAD || fabs(delfh) < EPS_QUAD) {
			mn->ecurrent = alpha_step(mn, 0.0);
			return mn->err ? -1 : ZEROQUAD;
		}

		/* relerr = |(E_quadratic - E) / E_prev| */
		double relerr = fabs(1.0 - (0.5 * (alpha - alphaprev) *
					    (fh + fhprev) + mn->ecurrent) /
					   engprev);
		double alpha0 = alpha - (alpha - alphaprev) * fh / delfh;
		if (relerr <= QUADRATIC_TOL && alpha0 > 0.0 && alpha0 < alphamax) {
			mn->ecurrent = alpha_step(mn, alpha0);
			if (mn->err)
				return -1;
			if (mn->ecurrent - eoriginal < EMACH)
				return 0;
		}

		double de_ideal = -BACKTRACK_SLOPE * alpha * fdothall;
		double de = mn->ecurrent - eoriginal;
		if (de <= de_ideal)
			return 0;

		fhprev = fh;
		engprev = mn->ecurrent;
		alphaprev = alpha;
		alpha *= ALPHA_REDUCE;
		if (alpha <= 0.0 || de_ideal >= -EMACH) {
			mn->ecurrent = alpha_step(mn, 0.0);
			return mn->err ? -1 : ZEROALPHA;
		}
	}
}

static int cg_iterate(struct minimizer *mn, long maxiter)
{
	struct state *st = mn->m->st;
	size_t n = st->n;
	double *f[3] = {st->fx, st->fy, st->fz};
	/* Restart CG every ndof iterations (LAMMPS nlimit). */
	long nlimit = (long)(3 * n);

	for (int a = 0; a < 3; a++)
		for (size_t i = 0; i < n; i++)
			mn->h[a * n + i] = mn->g[a * n + i] = f[a][i];
	double gg = fnorm_sqr(st);

	for (long iter = 0; iter < maxiter; iter++) {
		if (mn->o->stop && *mn->o->stop)
			return INTERRUPTED;
		mn->niter++;
		mn->eprevious = mn->ecurrent;
		int fail = linemin_quadratic(mn, mn->ecurrent);
		if (fail)
			return fail;
		if (mn->neval >= mn->o->maxeval)
			return MAXEVAL;
		if (energy_converged(mn->ecurrent, mn->eprevious, mn->o->etol))
			return ETOL;

		double ff, fg;
		dots(mn, mn->g, &ff, &fg);
		if (mn->o->ftol > 0.0 && ff < mn->o->ftol * mn->o->ftol)
			return FTOL;

		/* Polak-Ribiere: beta = f.(f - g) / g.g, never negative. */
		double beta = fmax(0.0, (ff - fg) / gg);
		if ((mn->niter + 1) % nlimit == 0)
			beta = 0.0;
		gg = ff;
		double gh = 0.0;
		for (int a = 0; a < 3; a++)
			for (size_t i = 0; i < n; i++) {
				size_t k = a * n + i;
				mn->g[k] = f[a][i];
				mn->h[k] = mn->g[k] + beta * mn->h[k];
			}
		for (size_t i = 0; i < n; i++)
			for (int a = 0; a < 3; a++)
				gh += mn->g[a * n + i] * mn->h[a * n + i];
		/* Not downhill: restart along the gradient. */
		if (gh <= 0.0)
			memcpy(mn->h, mn->g, 3 * n * sizeof *mn->h);
	}
	return MAXITER;
}

/* ---- driver ----------------------------------------------------------- */

static int check_min_opts(const struct min_opts *o, struct err *e)
{
	if (o->style != MIN_FIRE && o->style != MIN_CG)
		return err_set(e, "minimize: unknown style %d", (int)o->style);
	if (!(isfinite(o->etol) && o->etol >= 0.0) ||
	    !(isfinite(o->ftol) && o->ftol >= 0.0))
		return err_set(e, "minimize: etol and ftol must be finite and "
				  ">= 0 (got %g, %g)", o->etol, o->ftol);
	if (o->maxiter < 0 || o->maxeval < 0)
		return err_set(e, "minimize: maxiter and maxeval must be >= 0");
	if (!(isfinite(o->dmax) && o->dmax >= 0.0) ||
	    !(isfinite(o->dt) && o->dt >= 0.0))
		return err_set(e, "minimize: dmax and dt must be finite and "
				  ">= 0 (0: default)");
	return 0;
}

int minimize_run(struct md *m, const struct min_opts *o,
		 struct min_result *r, struct err *e)
{
	struct state *st = m->st;
	size_t n = st->n;
	memset(r, 0, sizeof *r);
	if (check_min_opts(o, e) != 0)
		return -1;

	struct min_opts oo = *o;
	if (oo.dmax == 0.0)
		oo.dmax = 0.1;                        /* LAMMPS min_modify dmax */
	if (oo.dt == 0.0)
		oo.dt = m->sys->units.dt_default;     /* LAMMPS timestep */

	struct minimizer mn = {
		.m = m, .o = &oo, .dmax = oo.dmax, .e = e,
		.norm = (m->sys->units.style == UNITS_LJ && m->sys->natoms > 0)
			? (double)m->sys->natoms : 1.0,
	};
	if (oo.style == MIN_CG) {
		mn.g = malloc(3 * n * sizeof *mn.g);
		mn.h = malloc(3 * n * sizeof *mn.h);
		mn.x0 = malloc(3 * n * sizeof *mn.x0);
		mn.img0 = malloc(3 * n * sizeof *mn.img0);
		if (n && (!mn.g || !mn.h || !mn.x0 || !mn.img0)) {
			free(mn.g);
			free(mn.h);
			free(mn.x0);
			free(mn.img0);
			return err_set(e, "minimize: out of memory for %zu atoms", n);
		}
	} else {
		mn.v = malloc(3 * n * sizeof *mn.v);
		if (n && !mn.v)
			return err_set(e, "minimize: out of memory for %zu atoms", n);
	}

	/* Setup: forces and energy of the starting positions. */
	mn.ecurrent = energy_force(&mn);
	int stop = -1;
	if (!mn.err) {
		r->e_start = energy_pe(&m->en);
		stop = oo.style == MIN_CG ? cg_iterate(&mn, oo.maxiter)
					  : fire_iterate(&mn, oo.maxiter);
	}
	free(mn.g);
	free(mn.h);
	free(mn.x0);
	free(mn.img0);
	free(mn.v);
	if (stop < 0 || mn.err)
		return err_prefix(e, "minimize");

	r->iters = mn.niter;
	r->evals = mn.neval;
	r->e_final = energy_pe(&m->en);
	r->fnorm2 = sqrt(fnorm_sqr(st));
	r->fnorm_inf = fnorm_inf(st);
	r->stop_reason = stop_strings[stop];
	return 0;
}
