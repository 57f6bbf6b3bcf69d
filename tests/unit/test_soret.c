/* Unit tests for common/soret.c: gradient windows of a periodic box, the
 * ln c vs T fits (paper Eq. 3) on synthetic profiles
 *   c(z) = c0 exp(-S_T (T(z) - T0)),  T(z) piecewise linear,
 * noise-free (S_T back to 1e-10: only rounding in exp/log and the fit) and
 * with noise (errors that cover the scatter), refusals, table input. */
#include "check.h"
#include "rng.h"
#include "soret.h"

#include <gsl/gsl_errno.h>
#include <string.h>

/* Synthetic profile description. */
struct synth {
	size_t n;              /* slabs over [lo, lo+len) */
	double lo, len;
	double cold, hot;      /* slab centres where T = Tc, Th */
	double Tc, Th;
	double S, T0, c0;
	double sig_lnc;        /* relative c noise; c_err = sig_lnc c (0: none) */
	double sig_T;          /* T noise and T_err (0: none) */
	int with_cerr, with_terr;
};

static double up(double a, double b, double len)
{
	double u = fmod(b - a, len);
	return u < 0 ? u + len : u;
}

/* Linear from the cold centre up to the hot centre, and back down. */
static double synth_T(const struct synth *s, double z)
{
	double a = up(s->cold, z, s->len), g = up(s->cold, s->hot, s->len);
	if (a <= g)
		return s->Tc + (s->Th - s->Tc) * a / g;
	return s->Th + (s->Tc - s->Th) * (a - g) / (s->len - g);
}

static void make_profile(struct soret_profile *p, const struct synth *s,
			 struct rng *r)
{
	memset(p, 0, sizeof *p);
	p->source = strdup("synth");
	p->n = s->n;
	p->z = malloc(s->n * sizeof *p->z);
	p->T = malloc(s->n * sizeof *p->T);
	p->c = malloc(s->n * sizeof *p->c);
	p->c_err = s->with_cerr ? malloc(s->n * sizeof *p->c_err) : NULL;
	p->T_err = s->with_terr ? malloc(s->n * sizeof *p->T_err) : NULL;
	p->line = malloc(s->n * sizeof *p->line);
	if (!p->source || !p->z || !p->T || !p->c || !p->line ||
	    (s->with_cerr && !p->c_err) || (s->with_terr && !p->T_err)) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	p->lo = s->lo;
	p->len = s->len;
	for (size_t i = 0; i < s->n; i++) {
		double z = s->lo + ((double)i + 0.5) * s->len / (double)s->n;
		double T = synth_T(s, z);
		double lnc = log(s->c0) - s->S * (T - s->T0);
		if (r && s->sig_lnc > 0)
			lnc += s->sig_lnc * rng_gauss(r);
		p->z[i] = z;
		p->T[i] = T + (r && s->sig_T > 0 ? s->sig_T * rng_gauss(r) : 0.0);
		p->c[i] = exp(lnc);
		if (p->c_err)
			p->c_err[i] = (s->sig_lnc > 0 ? s->sig_lnc : 0.01) * p->c[i];
		if (p->T_err)
			p->T_err[i] = s->sig_T > 0 ? s->sig_T : 0.5;
		p->line[i] = 20 + (long)i;   /* as if after a 19-line header */
	}
}

/* The paper's aqueous layout scaled to a 50 box: 50 slabs of 1, cold
 * 10.5:14.5 (T 270), hot 35.5:39.5 (T 330), S_T = 7.5e-3 1/K. */
static struct synth paper(void)
{
	struct synth s = {.n = 50, .lo = 0, .len = 50, .cold = 12.5, .hot = 37.5,
			  .Tc = 270, .Th = 330, .S = 7.5e-3, .T0 = 300, .c0 = 0.1,
			  .with_cerr = 1, .with_terr = 1};
	return s;
}

static struct soret_opts paper_opts(double margin)
{
	struct soret_opts o;
	soret_opts_default(&o);
	o.cold[0] = 10.5;
	o.cold[1] = 14.5;
	o.hot[0] = 35.5;
	o.hot[1] = 39.5;
	o.margin = margin;
	return o;
}

static void test_windows(void)
{
	struct err e = {{0}};
	double wlo[2], wlen[2];
	struct soret_opts o = paper_opts(1.0);
	CHECK(soret_windows(&o, 0, 50, wlo, wlen, &e) == 0, "windows: %s", e.msg);
	CHECK(wlo[0] == 15.5 && wlen[0] == 19.0, "window A (15.5, 34.5): %g+%g",
	      wlo[0], wlen[0]);
	CHECK(wlo[1] == 40.5 && wlen[1] == 19.0,
	      "window B (40.5, 50) + (0, 9.5) through the boundary: %g+%g",
	      wlo[1], wlen[1]);
	/* hot below cold: window A (cold -> hot) is the one that wraps */
	struct soret_opts r = o;
	memcpy(r.cold, o.hot, sizeof r.cold);
	memcpy(r.hot, o.cold, sizeof r.hot);
	CHECK(soret_windows(&r, 0, 50, wlo, wlen, &e) == 0 && wlo[0] == 40.5 &&
	      wlen[0] == 19.0 && wlo[1] == 15.5, "swapped slabs: A wraps");
	/* asymmetric: cold 5:9, hot 20:24, margin 0.5 */
	struct soret_opts a = o;
	a.cold[0] = 5, a.cold[1] = 9, a.hot[0] = 20, a.hot[1] = 24, a.margin = 0.5;
	CHECK(soret_windows(&a, 0, 50, wlo, wlen, &e) == 0 && wlo[0] == 9.5 &&
	      wlen[0] == 10.0 && wlo[1] == 24.5 && wlen[1] == 30.0,
	      "asymmetric windows 10 and 30 long");
	/* a slab given across the boundary (-1:3 in a 0..50 box) */
	a.cold[0] = -1, a.cold[1] = 3, a.margin = 0;
	CHECK(soret_windows(&a, 0, 50, wlo, wlen, &e) == 0 && wlo[0] == 3.0 &&
	      wlen[0] == 17.0 && wlo[1] == 24.0 && wlen[1] == 25.0,
	      "slab across the boundary");
	a = o;
	a.hot[0] = 12, a.hot[1] = 16;
	CHECK(soret_windows(&a, 0, 50, wlo, wlen, &e) != 0 && strstr(e.msg, "overlap"),
	      "overlapping slabs: %s", e.msg);
	a = o;
	a.margin = 10.5;  /* the gaps are 21 long */
	CHECK(soret_windows(&a, 0, 50, wlo, wlen, &e) != 0 && strstr(e.msg, "empty"),
	      "margin too large: %s", e.msg);
	CHECK(soret_windows(&o, 0, 7, wlo, wlen, &e) != 0, "slabs longer than the "
	      "box: %s", e.msg);
}

/* want_err: the expected error of the mean S_T; 0: rounding only (an
 * unweighted noise-free fit has no residuals); NaN: not checked. */
static void check_exact(const struct soret_result *r, double S,
			double want_err, const char *what)
{
	char m[256];
	snprintf(m, sizeof m, "%s: S_T window A", what);
	CHECK_CLOSE(r->w[0].st, S, 1e-10, 0, m);
	snprintf(m, sizeof m, "%s: S_T window B", what);
	CHECK_CLOSE(r->w[1].st, S, 1e-10, 0, m);
	snprintf(m, sizeof m, "%s: S_T mean of both windows", what);
	CHECK_CLOSE(r->st, S, 1e-10, 0, m);
	snprintf(m, sizeof m, "%s: error from the stated c_err", what);
	if (want_err == 0)
		CHECK(r->st_err < 1e-10 * fabs(S), "%s: error ~ 0 (%g)", what,
		      r->st_err);
	else if (!isnan(want_err))
		CHECK_CLOSE(r->st_err, want_err, 1e-9, 0, m);
}

static void test_exact(void)
{
	struct err e = {{0}};
	struct synth s = paper();
	struct soret_profile p;
	struct soret_result r;
	struct soret_opts o = paper_opts(1.0);
	make_profile(&p, &s, NULL);
	CHECK(soret_fit(&p, &o, &r, &e) == 0, "fit: %s", e.msg);
	/* Weighted fits carry the stated errors: sd(ln c) = 0.01 over 18
	 * slabs whose T are 2.4 K apart: se = 0.01/sqrt(sum (T - Tbar)^2),
	 * sum = 2.4^2 * 18 (18^2 - 1)/12; the mean of two windows has 1/sqrt 2
	 * of it. With T from the fit the slope error of T(z), 0.5/sqrt(sum
	 * (z - zbar)^2) relative to 2.4, adds in quadrature. */
	double sxx = 18.0 * (18.0 * 18.0 - 1.0) / 12.0;
	double se = 0.01 / sqrt(2.4 * 2.4 * sxx);
	double rel = 0.5 / sqrt(sxx) / 2.4;
	check_exact(&r, s.S, se / sqrt(2.0), "noise-free, weighted");
	CHECK(r.w[0].nslab == 18 && r.w[1].nslab == 18,
	      "18 slabs per window (%zu, %zu); B has 9 on each side of the "
	      "boundary", r.w[0].nslab, r.w[1].nslab);
	CHECK(r.w[0].weighted && r.w[1].weighted, "c_err given: weighted fits");
	CHECK_CLOSE(r.w[0].dtdz, 60.0 / 25.0, 1e-12, 0, "dT/dz in A (cold->hot)");
	CHECK_CLOSE(r.w[1].dtdz, -60.0 / 25.0, 1e-12, 0, "dT/dz in B (hot->cold)");
	CHECK_CLOSE(r.w[0].r2, 1.0, 1e-12, 0, "T linear in z: R^2 = 1");
	CHECK_CLOSE(r.w[1].dT, -2.4 * 17, 1e-12, 0, "dT across B's slab centres");
	o.t_linear = 1;
	CHECK(soret_fit(&p, &o, &r, &e) == 0, "fit: %s", e.msg);
	check_exact(&r, s.S, hypot(se, s.S * rel) / sqrt(2.0),
		    "noise-free, T from the linear fit");
	soret_profile_free(&p);

	/* unweighted, negative S_T (LJ spheres eps = 0.5: -7.6e-3) */
	s.with_cerr = s.with_terr = 0;
	s.S = -7.6e-3;
	make_profile(&p, &s, NULL);
	o.t_linear = 0;
	CHECK(soret_fit(&p, &o, &r, &e) == 0, "fit: %s", e.msg);
	check_exact(&r, s.S, 0, "noise-free, unweighted, S_T < 0");
	CHECK(!r.w[0].weighted && !r.w[1].weighted, "no c_err: unweighted fits");
	soret_profile_free(&p);

	/* hot slab below the cold one, and a box from -25 to 25 */
	s = paper();
	s.lo = -25;
	s.cold = 12.5, s.hot = -12.5;
	make_profile(&p, &s, NULL);
	o = paper_opts(0.5);
	o.hot[0] = -14.5, o.hot[1] = -10.5;
	CHECK(soret_fit(&p, &o, &r, &e) == 0, "fit: %s", e.msg);
	check_exact(&r, s.S, NAN, "box -25..25, window A through the boundary");
	CHECK(r.w[0].nslab == 20 && r.w[1].nslab == 20, "20 slabs per window "
	      "with margin 0.5 (%zu, %zu)", r.w[0].nslab, r.w[1].nslab);
	/* slab z = 24.5 (index 49) is in the wrapped window A: spoil it */
	p.c[49] = 0.0;
	CHECK(soret_fit(&p, &o, &r, &e) != 0 && strstr(e.msg, "synth:69:") &&
	      strstr(e.msg, "window A"), "the slab beyond the boundary is "
	      "fitted: %s", e.msg);
	p.c[0] = 0.0;  /* z = -24.5: the other side */
	p.c[49] = 1.0;
	CHECK(soret_fit(&p, &o, &r, &e) != 0 && strstr(e.msg, "synth:20:"),
	      "the slab below the boundary is fitted: %s", e.msg);
	soret_profile_free(&p);

	/* asymmetric windows (10 and 30 long, edges mid-slab: 9 and 29 whole
	 * slabs) */
	s = paper();
	s.cold = 7, s.hot = 22;
	make_profile(&p, &s, NULL);
	o = paper_opts(0.5);
	o.cold[0] = 5, o.cold[1] = 9, o.hot[0] = 20, o.hot[1] = 24;
	CHECK(soret_fit(&p, &o, &r, &e) == 0, "fit: %s", e.msg);
	check_exact(&r, s.S, NAN, "asymmetric windows");
	CHECK(r.w[0].nslab == 9 && r.w[1].nslab == 29, "9 and 29 slabs (%zu, %zu)",
	      r.w[0].nslab, r.w[1].nslab);
	soret_profile_free(&p);
}

/* 400 noisy replicas: ln c noise 0.05 and T noise 0.5 K, with matching
 * errors. The fitted S_T must scatter about the truth as its error says:
 * z = (S - S_true)/err within 2 in about 95% of the replicas (the sqrt(chi2
 * /(n-2)) inflation can only raise that), and the mean over replicas within
 * 4 standard errors of the truth (errors-in-variables bias here is
 * 0.25/var(T) ~ 0.2% of S_T, a tenth of that standard error). */
static void test_noise(int t_linear)
{
	enum { NREP = 400 };
	struct err e = {{0}};
	struct synth s = paper();
	s.sig_lnc = 0.05;
	s.sig_T = 0.5;
	struct soret_opts o = paper_opts(1.0);
	o.t_linear = t_linear;
	struct rng r;
	rng_seed(&r, 99 + (uint64_t)t_linear);
	double st[NREP], win = 0;
	int ok = 1;
	for (int k = 0; k < NREP; k++) {
		struct soret_profile p;
		struct soret_result res;
		make_profile(&p, &s, &r);
		if (soret_fit(&p, &o, &res, &e) != 0) {
			ok = 0;
			soret_profile_free(&p);
			break;
		}
		st[k] = res.st;
		for (int w = 0; w < 2; w++)
			win += fabs(res.w[w].st - s.S) < 2.0 * res.w[w].st_err;
		soret_profile_free(&p);
	}
	CHECK(ok, "%d noisy replicas fitted: %s", NREP, e.msg);
	if (!ok)
		return;
	double frac = win / (2.0 * NREP), mean, sd, sem;
	/* binomial sd of the 95% fraction over 800 windows: 0.8% */
	CHECK(frac > 0.92 && frac <= 1.0, "%s: %.1f%% of windows within 2 errors",
	      t_linear ? "linear T" : "measured T", 100 * frac);
	soret_stats(st, NREP, &mean, &sd, &sem);
	CHECK(fabs(mean - s.S) < 4 * sem, "%s: mean S_T %g within 4 sem (%g) of %g",
	      t_linear ? "linear T" : "measured T", mean, sem, s.S);
}

static void test_refusals(void)
{
	struct err e = {{0}};
	struct synth s = paper();
	struct soret_profile p;
	struct soret_result r;
	struct soret_opts o = paper_opts(0.0);
	make_profile(&p, &s, NULL);

	struct soret_opts near = o;  /* hot slab 2 above the cold one */
	near.hot[0] = 16.5, near.hot[1] = 20.5;
	CHECK(soret_fit(&p, &near, &r, &e) != 0 && strstr(e.msg, "window A") &&
	      strstr(e.msg, "1 slabs; need at least 3"), "too few slabs: %s", e.msg);
	near = o;
	near.min_slabs = 2;
	CHECK(soret_fit(&p, &near, &r, &e) != 0, "min_slabs < 3 refused: %s", e.msg);

	p.c[20] = 0.0;
	CHECK(soret_fit(&p, &o, &r, &e) != 0 && strstr(e.msg, "synth:40:") &&
	      strstr(e.msg, "c = 0") && strstr(e.msg, "z = 20.5"),
	      "c = 0 in a fitted slab: %s", e.msg);
	p.c[20] = -1e-3;
	CHECK(soret_fit(&p, &o, &r, &e) != 0 && strstr(e.msg, "c = -0.001"),
	      "c < 0: %s", e.msg);
	p.c[20] = NAN;
	CHECK(soret_fit(&p, &o, &r, &e) != 0 && strstr(e.msg, "c = nan"),
	      "c NaN (empty slab): %s", e.msg);
	p.c[20] = 0.0;
	p.c[12] = 0.0;  /* in the cold slab: not fitted, no error */
	p.c[20] = 0.1;
	e.msg[0] = '\0';
	CHECK(soret_fit(&p, &o, &r, &e) == 0, "c = 0 in a thermostatted slab is "
	      "not fitted: %s", e.msg);
	p.T[45] = NAN;
	CHECK(soret_fit(&p, &o, &r, &e) != 0 && strstr(e.msg, "no temperature") &&
	      strstr(e.msg, "window B"), "T NaN in a fitted slab: %s", e.msg);
	soret_profile_free(&p);

	/* no gradient: flat T, exactly or within noise */
	s.Th = s.Tc = 300;
	make_profile(&p, &s, NULL);
	CHECK(soret_fit(&p, &o, &r, &e) != 0 && strstr(e.msg, "no temperature "
	      "gradient"), "flat T: %s", e.msg);
	soret_profile_free(&p);
	struct rng g;
	rng_seed(&g, 3);
	s.sig_T = 1.0;
	s.sig_lnc = 0.01;
	int refused = 0;
	for (int k = 0; k < 20; k++) {
		make_profile(&p, &s, &g);
		refused += soret_fit(&p, &o, &r, &e) != 0;
		soret_profile_free(&p);
	}
	/* a 2-sigma test passes noise as a gradient in 5% of the cases, and
	 * both windows must pass: ~0.25% of profiles */
	CHECK(refused >= 18, "noisy flat T refused in %d of 20 profiles", refused);
	/* a weak but real gradient (dT = 6 K, T noise 1 K) is accepted */
	s.Tc = 297, s.Th = 303;
	make_profile(&p, &s, &g);
	e.msg[0] = '\0';
	CHECK(soret_fit(&p, &o, &r, &e) == 0, "weak gradient accepted: %s", e.msg);
	soret_profile_free(&p);
}

static int read_text(struct table *t, const char *text, struct err *e)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	if (!fp)
		return err_set(e, "fmemopen failed");
	int rc = table_read_stream(t, fp, "mem", e);
	fclose(fp);
	return rc;
}

static void test_table_input(void)
{
	struct err e = {{0}};
	struct table t;
	struct soret_profile p;
	const char *meta = "# tool: profile-bin\n# axis_lo: -2\n# axis_len: 8\n"
		"# bin z[A] T[K] T_err[K] c[mol/kg] c_err[mol/kg]\n"
		"0 -1 300 1 0.5 0.01\n1 1 310 1 0.4 0.01\n2 3 320 1 0.3 0.01\n"
		"3 5 330 1 nan nan\n";
	CHECK(read_text(&t, meta, &e) == 0, "read: %s", e.msg);
	CHECK(soret_profile_from_table(&p, &t, 0, 0, &e) == 0 && p.lo == -2 &&
	      p.len == 8 && p.n == 4 && p.c_err && p.T_err && p.line[0] == 5 &&
	      isnan(p.c[3]), "profile with axis_lo/axis_len provenance: %s", e.msg);
	soret_profile_free(&p);
	CHECK(soret_profile_from_table(&p, &t, -3, 9, &e) == 0 && p.lo == -3 &&
	      p.len == 9, "given box overrides the provenance: %s", e.msg);
	soret_profile_free(&p);
	CHECK(soret_profile_from_table(&p, &t, 1, 9, &e) != 0 &&
	      strstr(e.msg, ":5: z = -1 is outside the box 1:10"),
	      "a given box must hold the slab centres: %s", e.msg);
	table_free(&t);

	const char *plain = "# z T c\n0.25 1 1\n0.75 1 1\n1.25 1 1\n1.75 1 1\n";
	CHECK(read_text(&t, plain, &e) == 0, "read: %s", e.msg);
	CHECK(soret_profile_from_table(&p, &t, 0, 0, &e) == 0 && p.lo == 0 &&
	      p.len == 2 && !p.c_err && !p.T_err,
	      "box from equal spacing, optional columns absent: %s", e.msg);
	soret_profile_free(&p);
	table_free(&t);

	const char *uneven = "# z T c\n0.25 1 1\n0.75 1 1\n1.5 1 1\n";
	CHECK(read_text(&t, uneven, &e) == 0, "read: %s", e.msg);
	CHECK(soret_profile_from_table(&p, &t, 0, 0, &e) != 0 &&
	      strstr(e.msg, "--box"), "uneven z, no provenance: %s", e.msg);
	table_free(&t);

	const char *noc = "# z T conc\n0.25 1 1\n0.75 1 1\n";
	CHECK(read_text(&t, noc, &e) == 0, "read: %s", e.msg);
	CHECK(soret_profile_from_table(&p, &t, 0, 0, &e) != 0 &&
	      strstr(e.msg, "'c'"), "missing column c: %s", e.msg);
	table_free(&t);

	const char *text = "# z T c\n0.25 1 1\n0.75 hot 1\n";
	CHECK(read_text(&t, text, &e) == 0, "read: %s", e.msg);
	CHECK(soret_profile_from_table(&p, &t, 0, 0, &e) != 0 &&
	      strstr(e.msg, "mem:3:"), "non-number in T: %s", e.msg);
	table_free(&t);

	const char *badmeta = "# axis_lo: 0\n# axis_len: ten\n# z T c\n0.5 1 1\n";
	CHECK(read_text(&t, badmeta, &e) == 0, "read: %s", e.msg);
	CHECK(soret_profile_from_table(&p, &t, 0, 0, &e) != 0 &&
	      strstr(e.msg, "axis_len"), "bad axis_len provenance: %s", e.msg);
	table_free(&t);
}

static void test_stats(void)
{
	const double x[4] = {1, 2, 3, 4};
	double m, sd, sem;
	soret_stats(x, 4, &m, &sd, &sem);
	CHECK_CLOSE(m, 2.5, 1e-15, 0, "mean");
	CHECK_CLOSE(sd, sqrt(5.0 / 3.0), 1e-15, 0, "standard deviation (n-1)");
	CHECK_CLOSE(sem, sqrt(5.0 / 3.0) / 2.0, 1e-15, 0, "standard error");
	soret_stats(x, 1, &m, &sd, &sem);
	CHECK(m == 1.0 && isnan(sd) && isnan(sem), "one replica: no spread");
}

int main(void)
{
	gsl_set_error_handler_off();
	test_windows();
	test_exact();
	test_noise(0);
	test_noise(1);
	test_refusals();
	test_table_input();
	test_stats();
	return check_done();
}
