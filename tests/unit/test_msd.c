/* Unit tests for common/msd.c and common/molecules.c: the FFT MSD against
 * the double loop, D of a simulated Brownian walk, unwrapping across many
 * box lengths (fixed and changing box), molecular centres of mass across the
 * boundary, drift removal, and the derived quantities on curves whose answer
 * is known in closed form. */
#include "check.h"
#include "molecules.h"
#include "msd.h"

#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static void die(const struct err *e)
{
	fprintf(stderr, "%s\n", e->msg);
	exit(1);
}

/* n atoms of type 1 (mass 1) or of types from type[], in a cubic box */
static void make_data(struct lmp_data *d, size_t n, size_t nt,
		      const double *mass, const int *type, const long *mol,
		      double len)
{
	struct err e;
	if (lmp_data_alloc(d, n, nt, 0, &e) != 0)
		die(&e);
	for (size_t t = 0; t < nt; t++)
		d->mass[t] = mass ? mass[t] : 1.0;
	d->has_mass = 1;
	d->style = mol ? LMP_FULL : LMP_ATOMIC;
	for (int a = 0; a < 3; a++) {
		d->lo[a] = 0.0;
		d->hi[a] = len;
	}
	for (size_t i = 0; i < n; i++) {
		d->id[i] = (long)i + 1;
		d->type[i] = type ? type[i] : 1;
		d->mol[i] = mol ? mol[i] : 0;
	}
}

static void set_frame(struct frame *f, double t, const double len[3])
{
	f->time = t;
	f->has_cell = 1;
	for (int a = 0; a < 3; a++) {
		f->cell[a] = len[a];
		f->angle[a] = 90.0;
	}
}

static double wrap(double x, double len)
{
	return x - len * floor(x / len);
}

/* 1. FFT = double loop on random walks (offset far from 0, several
 * lengths, including awkward FFT sizes). Round-off of S1 - 2 S2 is of the
 * order 1e-16 x log(n) x max x^2 relative to the MSD scale. */
static void test_fft_vs_direct(gsl_rng *r)
{
	static const size_t ns[] = {1, 2, 3, 7, 17, 100, 331, 1000, 2049};
	double worst = 0.0;
	for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
		size_t n = ns[t];
		struct msd_plan p;
		struct err e;
		if (msd_plan_init(&p, n, &e) != 0)
			die(&e);
		double *x = malloc(n * sizeof *x), *a = calloc(n, sizeof *a),
		       *b = calloc(n, sizeof *b);
		x[0] = 1234.5;   /* far from 0: the shift must take care of it */
		for (size_t k = 1; k < n; k++)
			x[k] = x[k - 1] + gsl_ran_gaussian(r, 1.0);
		msd_fft_add(&p, x, a);
		msd_direct_add(n, x, b);
		double scale = 0.0, err = 0.0;
		for (size_t m = 0; m < n; m++)
			scale = fmax(scale, fabs(b[m]));
		for (size_t m = 0; m < n; m++)
			err = fmax(err, fabs(a[m] - b[m]));
		double rel = scale > 0 ? err / scale : err;
		worst = fmax(worst, rel);
		CHECK(rel < 1e-10, "FFT = double loop, n = %zu (pad %zu): max "
		      "relative difference %.3g", n, p.npad, rel);
		free(x);
		free(a);
		free(b);
		msd_plan_free(&p);
	}
	printf("# FFT vs double loop: worst relative difference %.3g\n", worst);
	CHECK(msd_fft_size(100) == 200 && msd_fft_size(331) == 672 &&
	      msd_fft_size(1) == 2, "padded sizes: 2n rounded up to 2^a3^b5^c7^d "
	      "(%zu %zu)", msd_fft_size(100), msd_fft_size(331));
}

/* 2. D of a 3D Brownian walk (Gaussian steps of variance 2 D dt per axis),
 * wrapped into a small box, through the whole replica path (frames, min-
 * image unwrapping, groups). The expected statistical error is measured,
 * not assumed: the particles are split into B = 10 independent batches,
 * each gives its own D from the same fit window, and the standard error of
 * the mean is sd/sqrt(B). The full-sample D must be within 4 of those
 * (t distribution with 9 degrees of freedom: a false failure ~0.3 % of the
 * seeds; the seed is fixed, so the test is deterministic). */
static void test_brownian(gsl_rng *r)
{
	enum { NP = 400, NF = 1000, NB = 10 };
	const double D = 0.25, dt = 0.01, len = 3.0;
	const double box[3] = {len, len, len};
	double sd = sqrt(2.0 * D * dt);
	struct lmp_data d;
	int *type = malloc(NP * sizeof *type);
	for (size_t i = 0; i < NP; i++)
		type[i] = 1 + (int)(i % NB);   /* batch b = type b+1 */
	double mass[NB];
	for (int b = 0; b < NB; b++)
		mass[b] = 1.0;
	make_data(&d, NP, NB, mass, type, NULL, len);
	struct msd_group g[NB + 1];
	int tl[NB + 1][NB];
	char names[NB][16];
	for (int b = 0; b < NB; b++) {
		snprintf(names[b], sizeof names[b], "b%d", b);
		tl[b][0] = b + 1;
		g[b] = (struct msd_group){names[b], tl[b], 1};
	}
	for (int b = 0; b < NB; b++)
		tl[NB][b] = b + 1;
	g[NB] = (struct msd_group){"all", tl[NB], NB};
	struct msd_sel s;
	struct msd_replica rp;
	struct frame f;
	struct err e;
	if (msd_sel_init(&s, &d, 0, 0, g, NB + 1, &e) != 0 ||
	    msd_replica_init(&rp, &s, NF, 0, box, &e) != 0 ||
	    frame_alloc(&f, NP, 0, &e) != 0)
		die(&e);
	double *u = malloc(3 * NP * sizeof *u);
	for (size_t i = 0; i < 3 * NP; i++)
		u[i] = gsl_rng_uniform(r) * len;
	for (size_t k = 0; k < NF; k++) {
		if (k)
			for (size_t i = 0; i < 3 * NP; i++)
				u[i] += gsl_ran_gaussian_ziggurat(r, sd);
		for (size_t i = 0; i < NP; i++) {
			f.x[i] = wrap(u[3 * i], len);
			f.y[i] = wrap(u[3 * i + 1], len);
			f.z[i] = wrap(u[3 * i + 2], len);
		}
		set_frame(&f, (double)k * dt, box);
		if (msd_replica_add(&rp, &f, &e) != 0)
			die(&e);
	}
	double *out = malloc((NB + 1) * 4 * NF * sizeof *out), h;
	if (msd_replica_finish(&rp, 0, 1e-6, &h, out, &e) != 0)
		die(&e);
	CHECK_CLOSE(h, dt, 1e-12, 0, "frame spacing from the frame times");
	/* window 0.1..2 (lags 10..200): well averaged, 20 % of the run */
	double Db[NB], mean = 0, var = 0;
	struct msd_fit fit;
	for (int b = 0; b < NB; b++) {
		if (msd_fit_window(out + (b * 4 + 3) * NF, NF, h, 3, 0.1, 2.0, &fit,
				   &e) != 0)
			die(&e);
		Db[b] = fit.D;
		mean += Db[b] / NB;
	}
	for (int b = 0; b < NB; b++)
		var += (Db[b] - mean) * (Db[b] - mean) / (NB - 1);
	double sem = sqrt(var / NB);
	if (msd_fit_window(out + (NB * 4 + 3) * NF, NF, h, 3, 0.1, 2.0, &fit,
			   &e) != 0)
		die(&e);
	printf("# Brownian walk: D = %.5f, true %.5f, batch sem %.5f (%.2f sem "
	       "off), regression stderr %.2g, log-log slope %.4f\n", fit.D, D,
	       sem, fabs(fit.D - D) / sem, fit.D_err, fit.loglog);
	CHECK(fabs(fit.D - D) < 4.0 * sem, "Brownian D %.5f within 4 batch sem "
	      "(%.5f) of %.5f", fit.D, sem, D);
	CHECK(sem < 0.05 * D, "batch sem %.3g is small (< 5%% of D)", sem);
	CHECK(fabs(fit.loglog - 1.0) < 0.05, "log-log slope of a Brownian MSD "
	      "is 1 (%.4f)", fit.loglog);
	CHECK_CLOSE(fit.D, mean, 1e-12, 0, "the D of the union of equal batches "
		    "is the mean of the batch D (the fit is linear)");
	/* per-axis MSDs add up to the total */
	double sx = out[(NB * 4 + 0) * NF + 50] + out[(NB * 4 + 1) * NF + 50] +
		    out[(NB * 4 + 2) * NF + 50];
	CHECK_CLOSE(sx, out[(NB * 4 + 3) * NF + 50], 1e-14, 0,
		    "msdx + msdy + msdz = msd");
	free(u);
	free(out);
	free(type);
	frame_free(&f);
	msd_replica_free(&rp);
	msd_sel_free(&s);
	lmp_data_free(&d);
}

/* 3. Unwrapping: one particle drifting more than 20 box lengths (0.4 L per
 * frame plus noise), stored wrapped; the box fixed, then changing every
 * frame (NPT-like, +-10 %). The truth is u_{k+1} = u_k + D_k and the frame
 * stores wrap(w_k + D_k, L_{k+1}) (what an MD code writes after its move
 * and box change). Accumulated minimum images recover u exactly when
 * |D_k| < L_{k+1}/2; counting images (w + n L(t)) would not. */
static void test_unwrap(gsl_rng *r, int npt)
{
	enum { NF = 60 };
	const double L0 = 5.0;
	struct lmp_data d;
	make_data(&d, 1, 1, NULL, NULL, NULL, L0);
	struct msd_sel s;
	struct msd_replica rp;
	struct frame f;
	struct err e;
	double box0[3] = {L0, L0, L0};
	if (msd_sel_init(&s, &d, 0, 0, NULL, 0, &e) != 0 ||
	    msd_replica_init(&rp, &s, NF, 0, box0, &e) != 0 ||
	    frame_alloc(&f, 1, 0, &e) != 0)
		die(&e);
	double u[NF][3], w[3], len[3];
	for (int a = 0; a < 3; a++)
		u[0][a] = w[a] = 0.3 + a;
	for (size_t k = 0; k < NF; k++) {
		for (int a = 0; a < 3; a++)
			len[a] = npt ? L0 * (1.0 + 0.1 * sin(0.7 * (double)k + a))
				     : L0;
		if (k)
			for (int a = 0; a < 3; a++) {
				/* x drifts 0.4 L0 per frame, y back, z jitters */
				double step = a == 0 ? 0.4 * L0 : a == 1 ? -0.35 * L0 : 0.0;
				step += gsl_ran_gaussian(r, 0.02 * L0);
				u[k][a] = u[k - 1][a] + step;
				w[a] = wrap(w[a] + step, len[a]);
			}
		f.x[0] = w[0];
		f.y[0] = w[1];
		f.z[0] = w[2];
		set_frame(&f, 0.5 * (double)k, len);
		if (msd_replica_add(&rp, &f, &e) != 0)
			die(&e);
	}
	double travelled = fabs(u[NF - 1][0] - u[0][0]) / L0;
	double worst = 0;
	for (size_t k = 0; k < NF; k++)
		for (int a = 0; a < 3; a++)
			worst = fmax(worst, fabs(rp.series[a * NF + k] -
						 (u[k][a] - u[0][a])));
	CHECK(travelled > 20.0, "%s: the particle travels %.1f box lengths",
	      npt ? "changing box" : "fixed box", travelled);
	CHECK(worst < 1e-11 * travelled * L0, "%s: unwrapped = true path to "
	      "round-off (max |diff| %.3g)", npt ? "changing box" : "fixed box",
	      worst);
	double *out = malloc(4 * NF * sizeof *out), *ref = calloc(NF, sizeof *ref),
	       h;
	if (msd_replica_finish(&rp, 0, 1e-6, &h, out, &e) != 0)
		die(&e);
	for (int a = 0; a < 3; a++) {
		double x[NF];
		for (size_t k = 0; k < NF; k++)
			x[k] = u[k][a];
		msd_direct_add(NF, x, ref);
	}
	double err = 0;
	for (size_t m = 0; m < NF; m++)
		err = fmax(err, fabs(out[3 * NF + m] - ref[m]) / ref[NF - 1]);
	CHECK(err < 1e-12, "%s: MSD of the wrapped trajectory = MSD of the true "
	      "path (%.3g)", npt ? "changing box" : "fixed box", err);
	free(out);
	free(ref);
	frame_free(&f);
	msd_replica_free(&rp);
	msd_sel_free(&s);
	lmp_data_free(&d);
}

/* 4. Molecular centre of mass across the boundary, by hand: masses 1, 2, 3
 * at x = 9.8, 0.1, 0.3 in L = 10 (the molecule spans 9.8..10.3):
 * COM = (9.8*1 + 10.1*2 + 10.3*3)/6 = 10.15. Then a two-molecule system
 * translated rigidly across the boundary, atoms wrapped one by one: the COM
 * MSD is known by hand, with and without drift removal (which subtracts
 * the mass-weighted mean motion of the two molecules). */
static void test_com(void)
{
	struct lmp_data d;
	double mass[3] = {1.0, 2.0, 3.0};
	int type[6] = {1, 2, 3, 1, 2, 3};
	long mol[6] = {7, 7, 7, 4, 4, 4};
	make_data(&d, 6, 3, mass, type, mol, 10.0);
	struct molecules m;
	struct err e;
	if (molecules_group(&m, &d, &e) != 0)
		die(&e);
	CHECK(m.nmol == 2 && m.id[0] == 4 && m.id[1] == 7 && m.atom[m.start[1]] == 0,
	      "two molecules, by id, atoms in id order");
	double x[6] = {9.8, 0.1, 0.3, 1, 1, 1}, y[6] = {0}, z[6] = {0};
	double am[6] = {1, 2, 3, 1, 2, 3}, len[3] = {10, 10, 10}, com[3];
	molecules_com(&m, 1, am, x, y, z, len, com);
	CHECK_CLOSE(com[0], 10.15, 1e-14, 0, "COM of a molecule straddling the "
		    "boundary (by hand 10.15)");

	/* rigid translation: molecule 7 moves +1.7 per frame along x and y,
	 * molecule 4 rests; masses 6 each. */
	enum { NF = 30 };
	struct msd_sel s;
	struct msd_replica rp;
	struct frame f;
	if (msd_sel_init(&s, &d, 1, 1, NULL, 0, &e) != 0 ||
	    frame_alloc(&f, 6, 0, &e) != 0)
		die(&e);
	CHECK(s.np == 2 && s.pmass[0] == 6.0, "two particles of mass 6");
	double out[2][4 * NF], h;
	for (int drift = 0; drift < 2; drift++) {
		if (msd_replica_init(&rp, &s, NF, drift, len, &e) != 0)
			die(&e);
		for (size_t k = 0; k < NF; k++) {
			for (int i = 0; i < 6; i++) {
				double v = i < 3 ? 1.7 : 0.0;
				f.x[i] = wrap(x[i] + v * (double)k, 10.0);
				f.y[i] = wrap(2.0 + 0.1 * i + v * (double)k, 10.0);
				f.z[i] = 5.0;
			}
			set_frame(&f, (double)k, len);
			if (msd_replica_add(&rp, &f, &e) != 0)
				die(&e);
		}
		if (msd_replica_finish(&rp, 0, 1e-6, &h, out[drift], &e) != 0)
			die(&e);
		msd_replica_free(&rp);
	}
	/* without drift removal: mean over the 2 molecules of 2 (1.7 m)^2 / 2;
	 * with it: each moves +-0.85 m relative to the COM: 2 (0.85 m)^2 */
	double e0 = 0, e1 = 0;
	for (size_t k = 1; k < NF; k++) {
		double a = 1.7 * (double)k;
		e0 = fmax(e0, fabs(out[0][3 * NF + k] - a * a) / (a * a));
		e1 = fmax(e1, fabs(out[1][3 * NF + k] - 0.5 * a * a) / (a * a));
	}
	CHECK(e0 < 1e-12, "COM MSD of a molecule crossing the boundary 5 times "
	      "(%.3g)", e0);
	CHECK(e1 < 1e-12, "drift removal subtracts the system COM motion (%.3g)",
	      e1);
	frame_free(&f);
	msd_sel_free(&s);
	molecules_free(&m);
	lmp_data_free(&d);
}

/* 5. Derived quantities on closed-form curves. */
static void test_derived(void)
{
	enum { N = 2001 };
	static double msd[N];
	const double dt = 0.01;
	struct err e;
	/* linear: MSD = 0.3 + 6 * 0.25 t (t > 0) */
	for (size_t m = 0; m < N; m++)
		msd[m] = m ? 0.3 + 1.5 * (double)m * dt : 0.0;
	struct msd_fit f;
	int rc = msd_fit_window(msd, N, dt, 3, 1.0, 5.0, &f, &e);
	CHECK(rc == 0 && f.npts == 401, "fit window 1..5 holds 401 lags (%zu)",
	      f.npts);
	CHECK_CLOSE(f.D, 0.25, 1e-12, 0, "D of an exact line");
	CHECK_CLOSE(f.intercept, 0.3, 1e-10, 0, "intercept of an exact line");
	CHECK(f.D_err < 1e-12, "no scatter, no regression error (%.3g)", f.D_err);
	CHECK(msd_fit_window(msd, N, dt, 3, 30.0, 40.0, &f, &e) != 0,
	      "a window beyond the data is refused: %s", e.msg);
	CHECK(msd_fit_window(msd, N, dt, 3, 10.0, 30.0, &f, &e) != 0,
	      "a window ending after the longest lag (20) is refused: %s", e.msg);
	CHECK(msd_fit_window(msd, N, dt, 3, 10.0, 20.0, &f, &e) == 0 &&
	      f.npts == 1001, "a window ending on the longest lag holds it (%zu)",
	      f.npts);
	double v;
	CHECK(msd_at(msd, N, dt, 0.125, &v, &e) == 0, "MSD at 0.125");
	CHECK_CLOSE(v, 0.3 + 1.5 * 0.125, 1e-12, 0, "interpolated MSD at 0.125");
	CHECK(msd_at(msd, N, dt, 25.0, &v, &e) != 0, "a lag beyond the longest is "
	      "refused: %s", e.msg);
	/* reach 1: 0.3 + 1.5 t = 1 -> t = 0.4666... */
	double t;
	CHECK(msd_reach(msd, N, dt, 1.0, &t) == 0, "reach 1");
	CHECK_CLOSE(t, 0.7 / 1.5, 1e-12, 0, "time to reach RMS 1");
	CHECK(msd_reach(msd, N, dt, 100.0, &t) == 1 && isnan(t),
	      "a distance never reached gives NaN");
	/* regime: MSD = 2 s^2 e^-s + 0.5 t, s = t/tau: second derivative
	 * (2/tau^2)(2 - 4 s + s^2) e^-s changes sign at s = 2 - sqrt(2).
	 * Savitzky-Golay on a smooth curve: error O(dt^2) relative. */
	const double tau = 1.0;
	for (size_t m = 0; m < N; m++) {
		double s = (double)m * dt / tau;
		msd[m] = 2.0 * s * s * exp(-s) + 0.5 * (double)m * dt;
	}
	CHECK(msd_regime(msd, N, dt, 2, &t, &e) == 0, "regime found");
	CHECK_CLOSE(t, (2.0 - sqrt(2.0)) * tau, 1e-3, 0, "regime change at "
		    "(2 - sqrt 2) tau");
	double d2[N];
	msd_curvature(msd, N, dt, 3, d2, &e);
	double s = 1.0, exact = 2.0 * (2.0 - 4.0 * s + s * s) * exp(-s);
	CHECK_CLOSE(d2[100], exact, 1e-3, 0, "smoothed second derivative at t = 1");
	CHECK(isnan(d2[N - 1]) && !isnan(d2[N - 4]), "no curvature within the "
	      "half-width of the last lag");
	for (size_t m = 0; m < N; m++)
		msd[m] = (double)m;
	CHECK(msd_regime(msd, N, dt, 2, &t, &e) == 2, "an MSD linear from the "
	      "first lag: the sign change is flagged as unresolved (t = %g)", t);
	for (size_t m = 0; m < N; m++)
		msd[m] = (double)(m * m);
	CHECK(msd_regime(msd, N, dt, 2, &t, &e) == 1 && isnan(t), "a parabola "
	      "has no regime change");
	CHECK(msd_regime(msd, 5, dt, 4, &t, &e) < 0, "5 lags, half-width 4: "
	      "no curvature at two lags, refused: %s", e.msg);
}

/* 6. Refusals: uneven frame times, too few frames, triclinic cells. */
static void test_refusals(void)
{
	struct lmp_data d;
	make_data(&d, 2, 1, NULL, NULL, NULL, 10.0);
	struct msd_sel s;
	struct msd_replica rp;
	struct frame f;
	struct err e;
	double len[3] = {10, 10, 10}, h, out[4 * 3];
	if (msd_sel_init(&s, &d, 0, 0, NULL, 0, &e) != 0 ||
	    frame_alloc(&f, 2, 0, &e) != 0)
		die(&e);
	CHECK(msd_replica_init(&rp, &s, 1, 0, len, &e) != 0, "one frame is "
	      "refused: %s", e.msg);
	msd_replica_init(&rp, &s, 3, 0, len, &e);
	static const double times[3] = {0, 1, 3};
	for (int k = 0; k < 3; k++) {
		set_frame(&f, times[k], len);
		msd_replica_add(&rp, &f, &e);
	}
	CHECK(msd_replica_finish(&rp, 0, 1e-3, &h, out, &e) != 0,
	      "uneven frame times are refused: %s", e.msg);
	msd_replica_free(&rp);
	msd_replica_init(&rp, &s, 3, 0, len, &e);
	set_frame(&f, 0, len);
	f.angle[2] = 60.0;
	CHECK(msd_replica_add(&rp, &f, &e) != 0, "a triclinic cell is refused: "
	      "%s", e.msg);
	msd_replica_free(&rp);
	struct msd_group g = {"x", (int[]){2}, 1};
	struct msd_sel s2;
	CHECK(msd_sel_init(&s2, &d, 0, 0, &g, 1, &e) != 0, "a group of a type "
	      "the data file lacks is refused: %s", e.msg);
	d.has_mass = 0;
	CHECK(msd_sel_init(&s2, &d, 0, 1, NULL, 0, &e) != 0, "drift removal "
	      "without masses is refused: %s", e.msg);
	frame_free(&f);
	msd_sel_free(&s);
	lmp_data_free(&d);
}

int main(void)
{
	gsl_set_error_handler_off();
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 20240611);
	test_fft_vs_direct(r);
	test_brownian(r);
	test_unwrap(r, 0);
	test_unwrap(r, 1);
	test_com();
	test_derived();
	test_refusals();
	gsl_rng_free(r);
	return check_done();
}
