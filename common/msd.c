/* msd: FFT mean square displacement, unwrapping, groups (see msd.h).
 * Calandrini et al., Collection SFN 12, 201 (2011), the "fast correlation
 * algorithm"; notes/algorithms.md section 5. */
#include "msd.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>

/* ------------------------------------------------------------------ */
/* Kernel                                                             */
/* ------------------------------------------------------------------ */

static int small_primes_only(size_t m)
{
	static const size_t p[] = {2, 3, 5, 7};
	for (int i = 0; i < 4; i++)
		while (m % p[i] == 0)
			m /= p[i];
	return m == 1;
}

size_t msd_fft_size(size_t n)
{
	size_t m = 2 * (n ? n : 1);
	while (!small_primes_only(m))
		m++;
	return m;
}

int msd_plan_init(struct msd_plan *p, size_t n, struct err *e)
{
	memset(p, 0, sizeof *p);
	if (n < 1)
		return err_set(e, "an MSD needs at least one frame");
	if (n > (size_t)INT32_MAX / 4)
		return err_set(e, "%zu frames: too many for one FFT", n);
	p->n = n;
	p->npad = msd_fft_size(n);
	p->buf = fftw_alloc_real(p->npad);
	p->spec = fftw_alloc_complex(p->npad / 2 + 1);
	if (!p->buf || !p->spec) {
		msd_plan_free(p);
		return err_set(e, "out of memory");
	}
	/* FFTW_ESTIMATE: no timing runs, so the same plan (and bitwise the
	 * same result) every time; it also leaves the arrays untouched. */
	p->fwd = fftw_plan_dft_r2c_1d((int)p->npad, p->buf, p->spec,
				      FFTW_ESTIMATE);
	p->bwd = fftw_plan_dft_c2r_1d((int)p->npad, p->spec, p->buf,
				      FFTW_ESTIMATE);
	if (!p->fwd || !p->bwd) {
		msd_plan_free(p);
		return err_set(e, "FFTW could not plan a transform of length %zu",
			       msd_fft_size(n));
	}
	return 0;
}

void msd_plan_free(struct msd_plan *p)
{
	if (p->fwd)
		fftw_destroy_plan(p->fwd);
	if (p->bwd)
		fftw_destroy_plan(p->bwd);
	fftw_free(p->buf);
	fftw_free(p->spec);
	memset(p, 0, sizeof *p);
}

void msd_fft_add(struct msd_plan *p, const double *x, double *acc)
{
	size_t n = p->n, np = p->npad;
	double *b = p->buf, x0 = x[0];
	fftw_complex *s = p->spec;
	/* shifted by the first value: S1 and 2 S2 stay of the size of the
	 * displacements, not of the absolute positions */
	for (size_t k = 0; k < n; k++)
		b[k] = x[k] - x0;
	memset(b + n, 0, (np - n) * sizeof *b);
	fftw_execute(p->fwd);
	for (size_t k = 0; k <= np / 2; k++) {
		s[k][0] = s[k][0] * s[k][0] + s[k][1] * s[k][1];
		s[k][1] = 0.0;
	}
	fftw_execute(p->bwd);   /* b[m] = np * sum_k x_k x_{k+m}, m < n */
	double q = 0.0;
	for (size_t k = 0; k < n; k++)
		q += 2.0 * (x[k] - x0) * (x[k] - x0);
	for (size_t m = 1; m < n; m++) {
		double a = x[m - 1] - x0, z = x[n - m] - x0;
		q -= a * a + z * z;
		double nm = (double)(n - m);
		acc[m] += q / nm - 2.0 * b[m] / ((double)np * nm);
	}
	/* acc[0] += 0: MSD(0) is zero by definition */
}

void msd_direct_add(size_t n, const double *x, double *acc)
{
	for (size_t m = 1; m < n; m++) {
		double s = 0.0;
		for (size_t k = 0; k + m < n; k++) {
			double d = x[k + m] - x[k];
			s += d * d;
		}
		acc[m] += s / (double)(n - m);
	}
}

/* ------------------------------------------------------------------ */
/* Unwrapping                                                         */
/* ------------------------------------------------------------------ */

double msd_unwrap_step(size_t np, const double *wprev, const double *w,
		       const double len[3], double *u)
{
	double worst = 0.0;
	for (size_t i = 0; i < np; i++)
		for (int c = 0; c < 3; c++) {
			double d = w[3 * i + c] - wprev[3 * i + c];
			d -= len[c] * nearbyint(d / len[c]);
			u[3 * i + c] += d;
			double r = fabs(d) / len[c];
			if (r > worst)
				worst = r;
		}
	return worst;
}

/* ------------------------------------------------------------------ */
/* Particles and groups                                               */
/* ------------------------------------------------------------------ */

void msd_sel_free(struct msd_sel *s)
{
	molecules_free(&s->mol);
	free(s->amass);
	free(s->pmass);
	for (size_t g = 0; s->gname && g < s->ngroups; g++)
		free(s->gname[g]);
	free(s->gname);
	free(s->gcount);
	free(s->member);
	free(s->track);
	memset(s, 0, sizeof *s);
}

static int set_masses(struct msd_sel *s, const struct lmp_data *d,
		      int need_mass, struct err *e)
{
	if (!d->has_mass || !d->mass) {
		if (need_mass)
			return err_set(e, "the data file has no Masses section "
				       "(needed for centres of mass and drift "
				       "removal)");
		return 0;
	}
	s->amass = malloc(s->natoms * sizeof *s->amass);
	s->pmass = calloc(s->np, sizeof *s->pmass);
	if (!s->amass || !s->pmass)
		return err_set(e, "out of memory");
	for (size_t i = 0; i < s->natoms; i++) {
		double m = d->mass[d->type[i] - 1];
		if (!(m > 0.0) || !isfinite(m))
			return err_set(e, "atom type %d has mass %g; masses must be "
				       "positive", d->type[i], m);
		s->amass[i] = m;
	}
	if (!s->com) {
		memcpy(s->pmass, s->amass, s->natoms * sizeof *s->pmass);
		return 0;
	}
	for (size_t k = 0; k < s->np; k++)
		for (size_t j = s->mol.start[k]; j < s->mol.start[k + 1]; j++)
			s->pmass[k] += s->amass[s->mol.atom[j]];
	return 0;
}

/* Membership of group g: particle p has (one atom with) a listed type. */
static int set_group(struct msd_sel *s, const struct lmp_data *d, size_t g,
		     const struct msd_group *grp, struct err *e)
{
	unsigned char *in = calloc(d->ntypes + 1, 1);
	if (!in)
		return err_set(e, "out of memory");
	for (size_t i = 0; grp && i < grp->ntypes; i++) {
		int t = grp->types[i];
		if (t < 1 || (size_t)t > d->ntypes) {
			free(in);
			return err_set(e, "group '%s': atom type %d does not exist "
				       "(the data file has %zu types)", grp->name, t,
				       d->ntypes);
		}
		in[t] = 1;
	}
	for (size_t p = 0; p < s->np; p++) {
		int yes = 0;
		if (!grp)
			yes = 1;
		else if (!s->com)
			yes = in[d->type[p]];
		else
			for (size_t j = s->mol.start[p]; j < s->mol.start[p + 1]; j++)
				yes |= in[d->type[s->mol.atom[j]]];
		s->member[p * s->ngroups + g] = (unsigned char)yes;
		s->gcount[g] += (size_t)yes;
	}
	free(in);
	if (s->gcount[g] == 0)
		return err_set(e, "group '%s': no %s of its types in the data file",
			       s->gname[g], s->com ? "molecules" : "atoms");
	return 0;
}

int msd_sel_init(struct msd_sel *s, const struct lmp_data *d, int com,
		 int need_mass, const struct msd_group *g, size_t ng,
		 struct err *e)
{
	memset(s, 0, sizeof *s);
	s->com = com;
	s->natoms = d->natoms;
	if (d->natoms == 0 || d->ntypes == 0)
		return err_set(e, "the data file has no atoms");
	if (com) {
		if (molecules_group(&s->mol, d, e) != 0)
			return -1;
		s->np = s->mol.nmol;
	} else {
		s->np = d->natoms;
	}
	if (set_masses(s, d, need_mass || com, e) != 0)
		goto fail;
	s->ngroups = ng ? ng : 1;
	s->gname = calloc(s->ngroups, sizeof *s->gname);
	s->gcount = calloc(s->ngroups, sizeof *s->gcount);
	s->member = calloc(s->np * s->ngroups, 1);
	s->track = malloc(s->np * sizeof *s->track);
	if (!s->gname || !s->gcount || !s->member || !s->track)
		goto oom;
	for (size_t k = 0; k < s->ngroups; k++) {
		s->gname[k] = strdup(ng ? g[k].name : "all");
		if (!s->gname[k])
			goto oom;
		for (size_t j = 0; j < k; j++)
			if (strcmp(s->gname[j], s->gname[k]) == 0) {
				err_set(e, "group '%s' is given twice", s->gname[k]);
				goto fail;
			}
		if (set_group(s, d, k, ng ? &g[k] : NULL, e) != 0)
			goto fail;
	}
	for (size_t p = 0; p < s->np; p++) {
		int any = 0;
		for (size_t k = 0; k < s->ngroups; k++)
			any |= s->member[p * s->ngroups + k];
		if (any)
			s->track[s->ntrack++] = p;
	}
	return 0;
oom:
	err_set(e, "out of memory");
fail:
	msd_sel_free(s);
	return -1;
}

/* ------------------------------------------------------------------ */
/* One replica                                                        */
/* ------------------------------------------------------------------ */

void msd_replica_free(struct msd_replica *r)
{
	free(r->w);
	free(r->wprev);
	free(r->u);
	free(r->ref);
	free(r->series);
	free(r->time);
	memset(r, 0, sizeof *r);
}

int msd_replica_init(struct msd_replica *r, const struct msd_sel *s,
		     size_t nframes, int drift, const double box[3],
		     struct err *e)
{
	memset(r, 0, sizeof *r);
	if (nframes < 2)
		return err_set(e, "%zu frame%s: an MSD needs at least 2", nframes,
			       nframes == 1 ? "" : "s");
	if (drift && !s->pmass)
		return err_set(e, "drift removal needs masses");
	r->sel = s;
	r->n = nframes;
	r->drift = drift;
	memcpy(r->box, box, sizeof r->box);
	size_t np = s->np, nt = s->ntrack;
	if (nt > SIZE_MAX / 3 / nframes / sizeof(double))
		return err_set(e, "%zu particles x %zu frames do not fit in memory",
			       nt, nframes);
	r->w = malloc(3 * np * sizeof *r->w);
	r->wprev = malloc(3 * np * sizeof *r->wprev);
	r->u = malloc(3 * np * sizeof *r->u);
	r->ref = malloc(3 * (nt ? nt : 1) * sizeof *r->ref);
	r->series = malloc(3 * (nt ? nt : 1) * nframes * sizeof *r->series);
	r->time = malloc(nframes * sizeof *r->time);
	if (!r->w || !r->wprev || !r->u || !r->ref || !r->series || !r->time) {
		msd_replica_free(r);
		return err_set(e, "out of memory (%zu particles x %zu frames need "
			       "%.3g GB)", nt, nframes,
			       24.0 * (double)nt * (double)nframes / 1e9);
	}
	return 0;
}

static int frame_box(const struct msd_replica *r, const struct frame *f,
		     double len[3], struct err *e)
{
	if (frame_check_cell(f, e) != 0)
		return -1;
	for (int a = 0; a < 3; a++)
		len[a] = f->has_cell ? f->cell[a] : r->box[a];
	for (int a = 0; a < 3; a++)
		if (!(len[a] > 0.0) || !isfinite(len[a]))
			return err_set(e, "box length %g is not positive", len[a]);
	return 0;
}

int msd_replica_add(struct msd_replica *r, const struct frame *f,
		    struct err *e)
{
	const struct msd_sel *s = r->sel;
	if (r->k >= r->n)
		return err_set(e, "more frames than the %zu planned", r->n);
	if (f->natoms != s->natoms)
		return err_set(e, "%zu atoms, the data file has %zu", f->natoms,
			       s->natoms);
	double len[3];
	if (frame_box(r, f, len, e) != 0)
		return -1;
	size_t np = s->np;
	for (size_t p = 0; p < np; p++) {
		if (s->com) {
			molecules_com(&s->mol, p, s->amass, f->x, f->y, f->z, len,
				      r->w + 3 * p);
		} else {
			r->w[3 * p] = f->x[p];
			r->w[3 * p + 1] = f->y[p];
			r->w[3 * p + 2] = f->z[p];
		}
	}
	for (size_t i = 0; i < 3 * np; i++)
		if (!isfinite(r->w[i]))
			return err_set(e, "position of atom %zu is not finite",
				       s->com ? s->mol.atom[s->mol.start[i / 3]] + 1
					      : i / 3 + 1);
	if (r->k == 0) {
		memcpy(r->u, r->w, 3 * np * sizeof *r->u);
	} else {
		double st = msd_unwrap_step(np, r->wprev, r->w, len, r->u);
		if (st > r->maxstep)
			r->maxstep = st;
	}
	double *t = r->wprev;
	r->wprev = r->w;
	r->w = t;

	double R[3] = {0.0, 0.0, 0.0};
	if (r->drift) {
		double m = 0.0;
		for (size_t p = 0; p < np; p++) {
			m += s->pmass[p];
			for (int c = 0; c < 3; c++)
				R[c] += s->pmass[p] * r->u[3 * p + c];
		}
		for (int c = 0; c < 3; c++)
			R[c] /= m;
	}
	size_t n = r->n, k = r->k;
	for (size_t q = 0; q < s->ntrack; q++) {
		size_t p = s->track[q];
		for (int c = 0; c < 3; c++) {
			double v = r->u[3 * p + c] - R[c];
			if (k == 0)
				r->ref[3 * q + c] = v;
			r->series[(q * 3 + (size_t)c) * n + k] = v - r->ref[3 * q + c];
		}
	}
	r->time[k] = f->time;
	r->k++;
	return 0;
}

/* AMBER files store frame times as floats, so the mean spacing of n frames
 * carries their rounding (1 fs came out as 0.9999999776 fs in the lag
 * column). A decimal of 7 significant digits that the times cannot tell
 * from it (within twice their float resolution over the span) is the
 * spacing that was written; otherwise the spacing is kept as measured. */
static double snap_spacing(double h, double t0, double t1, size_t n)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%.6e", h);
	double d = strtod(buf, NULL);
	double tmax = fmax(fabs(t0), fabs(t1));
	double tol = 2.0 * FLT_EPSILON * tmax / (double)(n - 1);
	return fabs(d - h) <= tol ? d : h;
}

int msd_replica_finish(struct msd_replica *r, int direct, double time_rtol,
		       double *dt, double *out, struct err *e)
{
	const struct msd_sel *s = r->sel;
	size_t n = r->n, ng = s->ngroups;
	if (r->k != n)
		return err_set(e, "%zu of %zu frames added", r->k, n);
	double h = (r->time[n - 1] - r->time[0]) / (double)(n - 1);
	if (!(h > 0.0) || !isfinite(h))
		return err_set(e, "frame times do not increase (%g to %g)",
			       r->time[0], r->time[n - 1]);
	for (size_t k = 1; k < n; k++) {
		double step = r->time[k] - r->time[k - 1];
		/* float time storage: allow a few ulps of the time itself */
		double tol = time_rtol * h + 1e-6 * fabs(r->time[k]);
		if (fabs(step - h) > tol)
			return err_set(e, "frame %zu: time %g after %g: frames are not "
				       "evenly spaced (mean spacing %g)", k, r->time[k],
				       r->time[k - 1], h);
	}
	*dt = snap_spacing(h, r->time[0], r->time[n - 1], n);
	struct msd_plan plan = {0};
	double *acc = malloc(n * sizeof *acc);
	if (!acc)
		return err_set(e, "out of memory");
	if (!direct && msd_plan_init(&plan, n, e) != 0) {
		free(acc);
		return -1;
	}
	memset(out, 0, ng * 4 * n * sizeof *out);
	for (size_t q = 0; q < s->ntrack; q++) {
		size_t p = s->track[q];
		for (size_t c = 0; c < 3; c++) {
			const double *x = r->series + (q * 3 + c) * n;
			memset(acc, 0, n * sizeof *acc);
			if (direct)
				msd_direct_add(n, x, acc);
			else
				msd_fft_add(&plan, x, acc);
			for (size_t g = 0; g < ng; g++) {
				if (!s->member[p * ng + g])
					continue;
				double *oc = out + (g * 4 + c) * n, *ot = out + (g * 4 + 3) * n;
				for (size_t m = 0; m < n; m++) {
					oc[m] += acc[m];
					ot[m] += acc[m];
				}
			}
		}
	}
	for (size_t g = 0; g < ng; g++)
		for (size_t i = 0; i < 4 * n; i++)
			out[g * 4 * n + i] /= (double)s->gcount[g];
	free(acc);
	if (!direct)
		msd_plan_free(&plan);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Derived quantities                                                 */
/* ------------------------------------------------------------------ */

int msd_fit_window(const double *msd, size_t n, double dt, int dim,
		   double t0, double t1, struct msd_fit *f, struct err *e)
{
	memset(f, 0, sizeof *f);
	f->D = f->D_err = f->intercept = f->loglog = NAN;
	double *x = malloc(2 * (n ? n : 1) * sizeof *x);
	if (!x)
		return err_set(e, "out of memory");
	double *y = x + n;
	size_t k = 0;
	/* a window edge on a lag counts: lags come from float frame times,
	 * a few parts in 1e7 of the time itself */
	double eps = 1e-9 * dt + 1e-6 * fabs(t1);
	double tmax = (double)(n ? n - 1 : 0) * dt;
	/* fitting only the part of the window the data reach would give a D
	 * of another window than asked (and replicas of different length
	 * fitted over different windows). Half a lag of slack: float times
	 * far from 0 put the longest lag a little off its nominal value. */
	if (t1 > tmax + 0.5 * dt) {
		free(x);
		return err_set(e, "fit window %g:%g ends after the longest lag %g",
			       t0, t1, tmax);
	}
	for (size_t m = 0; m < n; m++) {
		double t = (double)m * dt;
		if (t >= t0 - eps && t <= t1 + eps) {
			x[k] = t;
			y[k++] = msd[m];
		}
	}
	f->npts = k;
	if (k < 3) {
		free(x);
		return err_set(e, "fit window %g:%g holds %zu lags (lag spacing %g, "
			       "longest lag %g); at least 3 are needed", t0, t1, k,
			       dt, (double)(n - 1) * dt);
	}
	double c0, c1, c00, c01, c11, ss;
	if (gsl_fit_linear(x, 1, y, 1, k, &c0, &c1, &c00, &c01, &c11, &ss) !=
	    GSL_SUCCESS) {
		free(x);
		return err_set(e, "least-squares fit failed");
	}
	f->D = c1 / (2.0 * dim);
	f->D_err = sqrt(c11) / (2.0 * dim);
	f->intercept = c0;
	size_t j = 0;
	for (size_t i = 0; i < k; i++)
		if (x[i] > 0.0 && y[i] > 0.0) {
			x[j] = log(x[i]);
			y[j++] = log(y[i]);
		}
	if (j >= 2 && gsl_fit_linear(x, 1, y, 1, j, &c0, &c1, &c00, &c01, &c11,
				     &ss) == GSL_SUCCESS)
		f->loglog = c1;
	free(x);
	return 0;
}

int msd_at(const double *msd, size_t n, double dt, double t, double *val,
	   struct err *e)
{
	double tmax = (double)(n - 1) * dt;
	if (!(t >= 0.0) || t > tmax * (1.0 + 1e-12))
		return err_set(e, "lag %g is outside 0..%g (the longest lag)", t,
			       tmax);
	double s = t / dt;
	size_t m = (size_t)floor(s);
	if (m >= n - 1) {
		*val = msd[n - 1];
		return 0;
	}
	double f = s - (double)m;
	*val = (1.0 - f) * msd[m] + f * msd[m + 1];
	return 0;
}

int msd_reach(const double *msd, size_t n, double dt, double dist,
	      double *t)
{
	double d2 = dist * dist;
	for (size_t m = 1; m < n; m++)
		if (msd[m] >= d2) {
			double a = msd[m - 1], b = msd[m];
			double f = b > a ? (d2 - a) / (b - a) : 1.0;
			*t = dt * ((double)(m - 1) + f);
			return 0;
		}
	*t = NAN;
	return 1;
}

int msd_curvature(const double *msd, size_t n, double dt, size_t hw,
		  double *d2, struct err *e)
{
	if (hw < 1)
		return err_set(e, "the smoothing half-width must be at least 1");
	double w = (double)hw, N = 2.0 * w + 1.0;
	double s2 = w * (w + 1.0) * (2.0 * w + 1.0) / 3.0;
	double s4 = w * (w + 1.0) * (2.0 * w + 1.0) *
		    (3.0 * w * w + 3.0 * w - 1.0) / 15.0;
	double den = s4 - s2 * s2 / N;
	for (size_t m = 0; m < n; m++) {
		if (m + hw >= n) {
			d2[m] = NAN;
			continue;
		}
		double c = 0.0;
		for (long j = -(long)hw; j <= (long)hw; j++) {
			long i = (long)m + j;
			double y = msd[i < 0 ? -i : i];   /* MSD(-t) = MSD(t) */
			c += ((double)(j * j) - s2 / N) * y;
		}
		d2[m] = 2.0 * (c / den) / (dt * dt);
	}
	return 0;
}

int msd_regime(const double *msd, size_t n, double dt, size_t hw, double *t,
	       struct err *e)
{
	*t = NAN;
	/* a sign change needs the curvature at two lags, m + hw < n */
	if (n < hw + 2)
		return err_set(e, "smoothing half-width %zu needs at least %zu lags; "
			       "the MSD has %zu", hw, hw + 2, n);
	double *d2 = malloc((n ? n : 1) * sizeof *d2);
	if (!d2)
		return err_set(e, "out of memory");
	if (msd_curvature(msd, n, dt, hw, d2, e) != 0) {
		free(d2);
		return -1;
	}
	int rc = 1;
	for (size_t m = 0; m + 1 < n && !isnan(d2[m + 1]); m++)
		if (d2[m] > 0.0 && d2[m + 1] <= 0.0) {
			*t = dt * ((double)m + d2[m] / (d2[m] - d2[m + 1]));
			/* within the first hw lags the smoothing window reaches the
			 * mirror image: a kink at t = 0 (MSD linear from the first
			 * frame, ballistic regime not sampled) looks like a sign
			 * change there */
			rc = m + 1 <= hw ? 2 : 0;
			break;
		}
	free(d2);
	return rc;
}
