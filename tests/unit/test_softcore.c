/* test_softcore: soft-core decoupling (common/softcore.c).
 *
 * 1. Against LAMMPS 29Sep2021 `run 0` (tests/fixtures/softcore): Debian's
 *    LAMMPS has no FEP package (no lj/cut/soft), so the references use
 *    `pair_style python` with an independent Python implementation of the
 *    two forms (softlj.py), on mix.data with atoms 36, 366, 489 decoupled:
 *    energy, pressure tensor and forces to 1e-10 relative, the tolerance
 *    and its scales as in test_pair_lj (LAMMPS prints 15 digits; the codes
 *    sum in different orders; a wrong pair, form or offset shows at 1e-4).
 * 2. The pair function against the Beutler form written out directly
 *    (r_s^6 = alpha sig^6 (1-l)^p + r^6; 1e-13 relative: a few roundings).
 * 3. dU/dlambda against central finite differences to 1e-7 relative: for
 *    the pair, Richardson-extrapolated (h = 1e-4, truncation O(h^4), since
 *    near lambda = 1 at short r D is small and E''' large), round-off
 *    ~1e-16 E/h ~ 1e-12; one-sided second-order differences at lambda = 0
 *    and 1; for the system, plain central differences (h = 1e-5).
 * 4. lambda = 1 equals plain lj/cut (plain, --shift, --tail) to 1e-12
 *    relative (same terms, other order); lambda = 0 leaves a single
 *    decoupled atom without force or energy, exactly.
 * 5. Forces = -gradient and virial = -strain derivative of the decoupled
 *    energy by central differences (h = 1e-6 / 1e-7; the energy of the
 *    decoupled pairs is O(10), so round-off ~1e-10), to 1e-6 relative.
 * 6. softcore_energies (all lambdas in one pass) = softcore_compute.
 * 7. Selections and option parsing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lmp_data.h"
#include "nbr.h"
#include "softcore.h"
#include "system.h"

#define FIX "../fixtures/"

struct sys3 {
	struct system sys;
	struct state st;
	struct softcore sc;
	struct nbr_list *nl;
	int have_sc;
};

static int load(struct sys3 *s, const char *sel, const struct sc_params *p,
		double lambda, int shift, int tail)
{
	struct err e;
	struct lmp_data d = {0};
	memset(s, 0, sizeof *s);
	struct system_opts o = {.units = UNITS_LJ, .cutoff = 2.5,
				.mix = MIX_GEOMETRIC, .shift = shift, .tail = tail};
	if (lmp_data_read(&d, FIX "lammps_forces/mix.data", &e) ||
	    system_from_data(&s->sys, &s->st, &d, &o, "mix.data", &e)) {
		lmp_data_free(&d);
		CHECK(0, "load mix.data: %s", e.msg);
		return -1;
	}
	lmp_data_free(&d);
	if (sel) {
		size_t *idx, n;
		if (softcore_select(&s->sys, sel, &idx, &n, &e) ||
		    softcore_init(&s->sc, &s->sys, idx, n, p,
				  (struct sc_lambda){1.0, lambda}, &e)) {
			CHECK(0, "decouple %s: %s", sel, e.msg);
			return -1;
		}
		free(idx);
		s->have_sc = 1;
	}
	if (nbr_create(&s->nl, s->st.n, 2.5, 0.3, &e)) {
		CHECK(0, "nbr_create: %s", e.msg);
		return -1;
	}
	return 0;
}

static void unload(struct sys3 *s)
{
	nbr_free(s->nl);
	softcore_free(&s->sc);
	system_free(&s->sys);
	state_free(&s->st);
}

static void forces(struct sys3 *s, struct energy *en)
{
	struct err e;
	memset(en, 0, sizeof *en);
	if (nbr_build(s->nl, &s->st, &e))
		CHECK(0, "nbr_build: %s", e.msg);
	pair_lj_compute(&s->sys.lj, s->sys.type, &s->st, s->nl, en);
	if (s->have_sc)
		softcore_compute(&s->sc, &s->st, en);
}

/* Only the pairs of the decoupled atoms: energy, forces into st->f. */
static double sc_only(struct sys3 *s, double *virial)
{
	struct energy en = {0};
	memset(s->st.fx, 0, s->st.n * sizeof(double));
	memset(s->st.fy, 0, s->st.n * sizeof(double));
	memset(s->st.fz, 0, s->st.n * sizeof(double));
	softcore_compute(&s->sc, &s->st, &en);
	if (virial)
		memcpy(virial, en.virial, sizeof en.virial);
	return en.evdwl;
}

/* ---- 1. LAMMPS references --------------------------------------------- */

static int read_ref(const char *name, double *pe, double p[7], double **f,
		    size_t *n)
{
	char path[256], line[4096];
	snprintf(path, sizeof path, FIX "softcore/%s.log", name);
	FILE *fp = fopen(path, "r");
	int ok = 0;
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp))
		if (!strncmp(line, "Step PotEng E_vdwl Press", 24)) {
			double evdwl;
			long step;
			ok = fgets(line, sizeof line, fp) &&
			     sscanf(line, "%ld %lf %lf %lf %lf %lf %lf %lf %lf %lf",
				    &step, pe, &evdwl, &p[6], &p[0], &p[1], &p[2],
				    &p[3], &p[4], &p[5]) == 10;
			break;
		}
	fclose(fp);
	if (!ok)
		return -1;
	snprintf(path, sizeof path, FIX "softcore/%s.dump", name);
	if (!(fp = fopen(path, "r")))
		return -1;
	*n = 0;
	*f = NULL;
	while (fgets(line, sizeof line, fp)) {
		if (!strncmp(line, "ITEM: NUMBER OF ATOMS", 21)) {
			if (!fgets(line, sizeof line, fp) || sscanf(line, "%zu", n) != 1)
				break;
			*f = calloc(3 * *n, sizeof **f);
		}
		if (!strncmp(line, "ITEM: ATOMS id fx fy fz", 23) && *f) {
			size_t i = 0;
			long id;
			for (; i < *n && fgets(line, sizeof line, fp); i++)
				if (sscanf(line, "%ld %lf %lf %lf", &id, &(*f)[3 * i],
					   &(*f)[3 * i + 1], &(*f)[3 * i + 2]) != 4)
					break;
			fclose(fp);
			return i == *n ? 0 : -1;
		}
	}
	fclose(fp);
	return -1;
}

static void lammps_case(const char *name, double lambda, enum sc_form form,
			double n, double alpha, double pw)
{
	struct sys3 s;
	struct sc_params p = {.form = form, .n = n, .alpha = alpha, .p = pw};
	double pe, pref[7], *fref = NULL;
	size_t nref;
	if (read_ref(name, &pe, pref, &fref, &nref)) {
		CHECK(0, "%s: read LAMMPS reference", name);
		return;
	}
	if (load(&s, "36,366,489", &p, lambda, 0, 0)) {
		free(fref);
		return;
	}
	struct energy en;
	forces(&s, &en);
	char what[128];
	snprintf(what, sizeof what, "%s: energy vs LAMMPS pair python", name);
	CHECK_CLOSE(energy_pe(&en), pe, 1e-10, 0.0, what);
	double k[6] = {0}, vol = s.st.len[0] * s.st.len[1] * s.st.len[2];
	for (size_t i = 0; i < s.st.n; i++) {
		double m = s.sys.mass[i];
		k[0] += m * s.st.vx[i] * s.st.vx[i];
		k[1] += m * s.st.vy[i] * s.st.vy[i];
		k[2] += m * s.st.vz[i] * s.st.vz[i];
		k[3] += m * s.st.vx[i] * s.st.vy[i];
		k[4] += m * s.st.vx[i] * s.st.vz[i];
		k[5] += m * s.st.vy[i] * s.st.vz[i];
	}
	double pscale = 0, dp = 0;
	for (int a = 0; a < 3; a++)
		pscale = fmax(pscale, (fabs(k[a]) + fabs(en.virial[a])) / vol);
	for (int a = 0; a < 6; a++) {
		double pa = (k[a] + en.virial[a]) / vol;
		dp = fmax(dp, fabs(pa - pref[a]) / fmax(fabs(pref[a]), pscale));
	}
	CHECK(dp <= 1e-10, "%s: pressure tensor vs LAMMPS (max err %.1e of scale "
			   "%.3g)", name, dp, pscale);
	double frms = 0, df = 0;
	for (size_t q = 0; q < 3 * nref; q++)
		frms += fref[q] * fref[q];
	frms = sqrt(frms / (3.0 * (double)nref));
	for (size_t i = 0; i < s.st.n && nref == s.st.n; i++) {
		double f[3] = {s.st.fx[i], s.st.fy[i], s.st.fz[i]};
		for (int a = 0; a < 3; a++) {
			double r = fref[3 * i + a];
			df = fmax(df, fabs(f[a] - r) / fmax(fabs(r), frms));
		}
	}
	CHECK(nref == s.st.n && df <= 1e-10, "%s: %zu forces vs LAMMPS (max err "
	      "%.1e of max(|F|, Frms %.3g))", name, 3 * nref, df, frms);
	printf("# %-16s lambda %.2f: energy %.1e, pressure %.1e, force %.1e\n",
	       name, lambda, fabs(energy_pe(&en) - pe) / fabs(pe), dp, df);
	free(fref);
	unload(&s);
}

/* ---- 2-3. the pair function ------------------------------------------ */

/* The Beutler family written out: lam^n V_LJ(r_s). */
static double direct_energy(const struct sc_params *p, double l, double eps,
			    double sig, double r)
{
	double s6 = pow(sig, 6.0);
	double rs6 = p->alpha * s6 * pow(1.0 - l, p->p) + pow(r, 6.0);
	double x = s6 / rs6;
	return pow(l, p->n) * 4.0 * eps * (x * x - x);
}

static void pair_tests(void)
{
	const struct sc_params ps[] = {
		{SC_FORM_LAMMPS, 1.0, 0.5, 2.0}, {SC_FORM_LAMMPS, 2.0, 0.7, 2.0},
		{SC_FORM_LAMMPS, 1.0, 0.0, 2.0}, {SC_FORM_GROMACS, 1.0, 0.5, 1.0},
		{SC_FORM_GROMACS, 1.0, 0.3, 2.0}};
	const double lams[] = {0.02, 0.1, 0.35, 0.5, 0.77, 0.98};
	const double rs[] = {0.3, 0.8, 0.95, 1.12, 1.5, 2.4};
	double worst_e = 0, worst_d = 0, worst_f = 0;
	for (size_t a = 0; a < sizeof ps / sizeof ps[0]; a++)
		for (size_t b = 0; b < sizeof lams / sizeof lams[0]; b++)
			for (size_t c = 0; c < sizeof rs / sizeof rs[0]; c++) {
				const struct sc_params *p = &ps[a];
				double l = lams[b], r = rs[c], eps = 1.3, sig = 1.1;
				if (p->alpha == 0.0 && r < 0.9)
					continue; /* plain LJ: huge at short r */
				double en, fp, dl;
				softcore_pair(p, l, eps, sig, r * r, &en, &fp, &dl);
				double ref = direct_energy(p, l, eps, sig, r);
				worst_e = fmax(worst_e, fabs(en - ref) / fmax(fabs(ref), 1e-3));
				/* Richardson: (4 D(h/2) - D(h)) / 3, error O(h^4) */
				double h = 1e-4, dd[2];
				for (int q = 0; q < 2; q++) {
					double hq = q ? h / 2 : h;
					dd[q] = (direct_energy(p, l + hq, eps, sig, r) -
						 direct_energy(p, l - hq, eps, sig, r)) /
						(2 * hq);
				}
				double fd = (4 * dd[1] - dd[0]) / 3;
				worst_d = fmax(worst_d, fabs(dl - fd) / fmax(fabs(fd), 1e-3));
				double hr = 1e-6 * r;
				double fr = -(direct_energy(p, l, eps, sig, r + hr) -
					      direct_energy(p, l, eps, sig, r - hr)) /
					    (2 * hr);
				worst_f = fmax(worst_f, fabs(fp * r - fr) / fmax(fabs(fr), 1e-3));
			}
	CHECK(worst_e <= 1e-13, "pair energy = lam^n V_LJ(r_s) written out "
	      "(max rel err %.1e)", worst_e);
	CHECK(worst_d <= 1e-7, "pair dE/dlambda = central difference (max rel "
	      "err %.1e)", worst_d);
	CHECK(worst_f <= 1e-7, "pair force = -dE/dr by central difference "
	      "(max rel err %.1e)", worst_f);

	/* the ends: one-sided second-order differences */
	double worst_end = 0;
	for (size_t a = 0; a < sizeof ps / sizeof ps[0]; a++) {
		const struct sc_params *p = &ps[a];
		if (p->alpha == 0.0)
			continue;
		for (int end = 0; end < 2; end++) {
			double l = end, s = end ? -1.0 : 1.0, h = 1e-5, r = 1.05;
			double en, dl;
			softcore_pair(p, l, 1.0, 1.0, r * r, &en, NULL, &dl);
			double f0 = direct_energy(p, l, 1.0, 1.0, r);
			double f1 = direct_energy(p, l + s * h, 1.0, 1.0, r);
			double f2 = direct_energy(p, l + 2 * s * h, 1.0, 1.0, r);
			double fd = s * (-3 * f0 + 4 * f1 - f2) / (2 * h);
			worst_end = fmax(worst_end, fabs(dl - fd) / fmax(fabs(fd), 1e-3));
		}
	}
	CHECK(worst_end <= 1e-7, "pair dE/dlambda at lambda = 0 and 1 = one-sided "
	      "difference (max rel err %.1e)", worst_end);

	/* lambda = 1: plain LJ; lambda = 0: nothing */
	struct sc_params p = {SC_FORM_LAMMPS, 1.0, 0.5, 2.0};
	double en, fp, dl, worst1 = 0;
	for (size_t c = 0; c < sizeof rs / sizeof rs[0]; c++) {
		double r = rs[c] + 0.6, sr6 = pow(1.1 / r, 6.0);
		double lj = 4.0 * 1.3 * (sr6 * sr6 - sr6);
		double flj = 24.0 * 1.3 * (2 * sr6 * sr6 - sr6) / (r * r);
		softcore_pair(&p, 1.0, 1.3, 1.1, r * r, &en, &fp, &dl);
		worst1 = fmax(worst1, fabs(en - lj) / fabs(lj));
		worst1 = fmax(worst1, fabs(fp - flj) / fabs(flj));
	}
	CHECK(worst1 <= 1e-14, "pair at lambda = 1 is lj/cut (max rel err %.1e)",
	      worst1);
	softcore_pair(&p, 0.0, 1.3, 1.1, 0.01, &en, &fp, &dl);
	CHECK(en == 0.0 && fp == 0.0, "pair at lambda = 0: energy and force "
	      "exactly 0 even at r = 0.1");
	/* dE/dlambda at lambda = 0, n = 1: 4 eps (1/D^2 - 1/D), D = alpha + r^6 */
	double d0 = 0.5 + pow(0.1 / 1.1, 6.0);
	CHECK_CLOSE(dl, 4.0 * 1.3 * (1.0 / (d0 * d0) - 1.0 / d0), 1e-14, 0.0,
		    "pair dE/dlambda at lambda = 0 (n = 1) is finite: 4 eps (1/D^2 - 1/D)");
}

/* ---- 4. lambda = 1 and lambda = 0 in a system ------------------------- */

static void ends_tests(void)
{
	struct sc_params p;
	sc_params_default(&p, SC_FORM_LAMMPS);
	const int sh[3] = {0, 1, 0}, tl[3] = {0, 0, 1};
	const char *nm[3] = {"plain", "shift", "tail"};
	for (int v = 0; v < 3; v++) {
		struct sys3 a, b;
		if (load(&a, NULL, &p, 1.0, sh[v], tl[v]) ||
		    load(&b, "36,366,489", &p, 1.0, sh[v], tl[v]))
			return;
		struct energy ea, eb;
		forces(&a, &ea);
		forces(&b, &eb);
		double df = 0, fmax_ = 0, dv = 0;
		for (size_t i = 0; i < a.st.n; i++) {
			fmax_ = fmax(fmax_, fabs(a.st.fx[i]));
			df = fmax(df, fabs(a.st.fx[i] - b.st.fx[i]));
			df = fmax(df, fabs(a.st.fy[i] - b.st.fy[i]));
			df = fmax(df, fabs(a.st.fz[i] - b.st.fz[i]));
		}
		for (int q = 0; q < 6; q++)
			dv = fmax(dv, fabs(ea.virial[q] - eb.virial[q]));
		char what[128];
		snprintf(what, sizeof what, "lambda = 1 (%s): energy equals plain lj/cut",
			 nm[v]);
		CHECK_CLOSE(eb.evdwl, ea.evdwl, 1e-12, 0.0, what);
		CHECK(df <= 1e-12 * fmax_ && dv <= 1e-12 * fabs(ea.virial[0]),
		      "lambda = 1 (%s): forces and virial equal plain lj/cut (max "
		      "diff %.1e of |F| %.3g, virial %.1e)", nm[v], df, fmax_, dv);
		unload(&a);
		unload(&b);
	}
	/* one decoupled atom at lambda = 0: no force on it, energy unchanged
	 * when it moves (tail on: its tail is scaled by 0 too, the self term
	 * of the decoupled-decoupled tail is constant) */
	struct sys3 s;
	if (load(&s, "489", &p, 0.0, 0, 1))
		return;
	struct energy e1, e2;
	forces(&s, &e1);
	size_t i = s.sc.dec[0];
	int zero = s.st.fx[i] == 0.0 && s.st.fy[i] == 0.0 && s.st.fz[i] == 0.0;
	s.st.x[i] += 0.37;
	s.st.z[i] -= 0.21;
	double e_dec1 = s.sc.e_dec;
	forces(&s, &e2);
	CHECK(zero, "lambda = 0: no force on the decoupled atom, exactly");
	CHECK(s.sc.e_dec == e_dec1 && s.sc.e_dec == s.sc.etail_dd /
	      (s.st.len[0] * s.st.len[1] * s.st.len[2]),
	      "lambda = 0: decoupled energy is only the constant self tail (%.3g)",
	      s.sc.e_dec);
	CHECK_CLOSE(e2.evdwl, e1.evdwl, 1e-13, 0.0,
		    "lambda = 0: total energy does not depend on where the atom is");
	unload(&s);
}

/* ---- 5-6. gradients, virial, multi-lambda ------------------------------ */

static double *coord(struct state *st, int a)
{
	return a == 0 ? st->x : a == 1 ? st->y : st->z;
}

static void gradient_tests(const char *what, const struct sc_params *p,
			   double lambda, int shift, int tail)
{
	struct sys3 s;
	if (load(&s, "36,366,489", p, lambda, shift, tail))
		return;
	size_t N = s.st.n;
	double w[6];
	sc_only(&s, w);
	double *f = malloc(3 * N * sizeof *f);
	for (size_t i = 0; i < N; i++) {
		f[3 * i] = s.st.fx[i];
		f[3 * i + 1] = s.st.fy[i];
		f[3 * i + 2] = s.st.fz[i];
	}
	/* the decoupled atoms and every atom that feels them */
	double worst = 0;
	size_t nchk = 0;
	for (size_t i = 0; i < N; i++) {
		if (f[3 * i] == 0 && f[3 * i + 1] == 0 && f[3 * i + 2] == 0)
			continue;
		nchk++;
		for (int a = 0; a < 3; a++) {
			double *x = coord(&s.st, a), x0 = x[i], h = 1e-6;
			x[i] = x0 + h;
			double ep = sc_only(&s, NULL);
			x[i] = x0 - h;
			double em = sc_only(&s, NULL);
			x[i] = x0;
			double fd = -(ep - em) / (2 * h);
			worst = fmax(worst, fabs(f[3 * i + a] - fd) /
						    fmax(fabs(fd), 1.0));
		}
	}
	CHECK(nchk > 3 && worst <= 1e-6, "%s: forces of %zu atoms = -gradient of "
	      "the decoupled energy (max err %.1e)", what, nchk, worst);
	/* virial W_aa = -dE/d(eps_a) under x_a -> (1 + eps_a) x_a (box too);
	 * without tail (its virial is not a strain derivative at fixed g) */
	if (!tail) {
		double wv = 0;
		for (int a = 0; a < 3; a++) {
			double *x = coord(&s.st, a), h = 1e-7, e2[2];
			double *x0 = malloc(N * sizeof *x0), l0 = s.st.len[a];
			memcpy(x0, x, N * sizeof *x0);
			for (int sgn = 0; sgn < 2; sgn++) {
				double fac = 1.0 + (sgn ? -h : h);
				for (size_t i = 0; i < N; i++)
					x[i] = x0[i] * fac;
				s.st.len[a] = l0 * fac;
				e2[sgn] = sc_only(&s, NULL);
			}
			memcpy(x, x0, N * sizeof *x0);
			s.st.len[a] = l0;
			free(x0);
			double fd = -(e2[0] - e2[1]) / (2 * h);
			wv = fmax(wv, fabs(w[a] - fd) / fmax(fabs(fd), 1.0));
		}
		CHECK(wv <= 1e-6, "%s: virial diagonal = -strain derivative (max "
		      "err %.1e)", what, wv);
	}
	/* dU/dlambda of the system by central differences in lambda */
	sc_only(&s, NULL);
	double dudl = s.sc.dudl_lj, e0 = s.sc.e_dec, h = 1e-5;
	struct err e;
	softcore_set_lambda(&s.sc, (struct sc_lambda){1.0, lambda + h}, &e);
	double ep = sc_only(&s, NULL);
	softcore_set_lambda(&s.sc, (struct sc_lambda){1.0, lambda - h}, &e);
	double em = sc_only(&s, NULL);
	softcore_set_lambda(&s.sc, (struct sc_lambda){1.0, lambda}, &e);
	double fd = (ep - em) / (2 * h);
	char msg[160];
	snprintf(msg, sizeof msg, "%s: system dU/dlambda = central difference", what);
	CHECK_CLOSE(dudl, fd, 1e-7, 0.0, msg);
	/* all lambdas in one pass */
	struct sc_lambda lam[5] = {{1, 0}, {1, 0.2}, {1, lambda}, {1, 0.8}, {1, 1}};
	double el[5], dl[5], worst_m = 0;
	if (softcore_energies(&s.sc, &s.st, 5, lam, el, dl, &e)) {
		CHECK(0, "%s: softcore_energies: %s", what, e.msg);
	} else {
		for (int k = 0; k < 5; k++) {
			softcore_set_lambda(&s.sc, lam[k], &e);
			double ek = sc_only(&s, NULL);
			worst_m = fmax(worst_m, fabs(el[k] - ek) / fmax(fabs(ek), 1.0));
			worst_m = fmax(worst_m, fabs(dl[k] - s.sc.dudl_lj) /
						      fmax(fabs(s.sc.dudl_lj), 1.0));
		}
		CHECK(worst_m <= 1e-13 && fabs(el[2] - e0) <= 1e-13 * fmax(fabs(e0), 1),
		      "%s: energies and dU/dlambda at 5 lambdas in one pass = "
		      "softcore_compute (max err %.1e)", what, worst_m);
	}
	free(f);
	unload(&s);
}

/* ---- 7. selections and options ---------------------------------------- */

static void select_tests(void)
{
	long id[6] = {1, 2, 3, 5, 8, 9}, mol[6] = {1, 1, 2, 2, 2, 3};
	int type[6] = {0, 1, 0, 0, 1, 0};
	struct system sys = {.natoms = 6, .id = id, .mol = mol, .type = type};
	struct err e;
	size_t *idx, n;
	int rc = softcore_select(&sys, "2,5", &idx, &n, &e);
	CHECK(rc == 0 && n == 2 && idx[0] == 1 && idx[1] == 3,
	      "select '2,5': indices 1, 3");
	if (!rc)
		free(idx);
	rc = softcore_select(&sys, "1-3,9", &idx, &n, &e);
	CHECK(rc == 0 && n == 4 && idx[3] == 5, "select '1-3,9': 4 atoms");
	if (!rc)
		free(idx);
	rc = softcore_select(&sys, "mol:2", &idx, &n, &e);
	CHECK(rc == 0 && n == 3 && idx[0] == 2 && idx[2] == 4,
	      "select 'mol:2': atoms 3, 5, 8");
	if (!rc)
		free(idx);
	rc = softcore_select(&sys, "type:2", &idx, &n, &e);
	CHECK(rc == 0 && n == 2 && idx[0] == 1 && idx[1] == 4,
	      "select 'type:2': atoms 2, 8");
	if (!rc)
		free(idx);
	struct {
		const char *sel;
		int rc;
	} bad[] = {{"4", -1}, {"1-4", -1}, {"mol:7", -1}, {"x", -2},
		   {"type:3", -1}, {"type:", -2}, {"type:0", -1},
		   {"3-1", -2}, {"", -2}, {"mol:", -2}, {"1,,2", -2},
		   {"1-9", -1}, {"mol:1,2", -2}};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		rc = softcore_select(&sys, bad[k].sel, &idx, &n, &e);
		CHECK(rc == bad[k].rc, "select '%s' refused (%d): %s", bad[k].sel,
		      rc, e.msg);
	}
	long mol1[6] = {4, 4, 4, 4, 4, 4};
	sys.mol = mol1;
	rc = softcore_select(&sys, "mol:4", &idx, &n, &e);
	CHECK(rc == -1, "select every atom refused: %s", e.msg);

	struct sc_lambda l;
	CHECK(sc_lambda_parse("--lambda", "0.25", &l, &e) == 0 && l.lj == 0.25 &&
	      l.coul == 1.0, "lambda '0.25': lj 0.25, coul 1");
	CHECK(sc_lambda_parse("--lambda", "1,0.3", &l, &e) == 0 && l.lj == 0.3,
	      "lambda '1,0.3': coul 1, lj 0.3");
	CHECK(sc_lambda_parse("--lambda", "0.5,1", &l, &e) == 0 && l.coul == 0.5 &&
	      l.lj == 1.0, "lambda '0.5,1': coul 0.5, lj 1 (decouple.c's)");
	const char *lbad[] = {"1.5,1", "1.2", "-0.1", "x", "1,0.5,1", "nan", ""};
	for (size_t k = 0; k < sizeof lbad / sizeof lbad[0]; k++)
		CHECK(sc_lambda_parse("--lambda", lbad[k], &l, &e) != 0,
		      "lambda '%s' refused: %s", lbad[k], e.msg);
	struct sc_params p;
	sc_params_default(&p, SC_FORM_GROMACS);
	CHECK(p.n == 1 && p.p == 1 && p.alpha == 0.5 && sc_params_check(&p, &e) == 0,
	      "gromacs defaults: n 1, sc-power 1, sc-alpha 0.5");
	p.n = 2;
	CHECK(sc_params_check(&p, &e) != 0, "gromacs with n = 2 refused: %s", e.msg);
	sc_params_default(&p, SC_FORM_LAMMPS);
	p.p = 1;
	CHECK(sc_params_check(&p, &e) != 0, "lammps with p = 1 refused: %s", e.msg);
	sc_params_default(&p, SC_FORM_LAMMPS);
	p.n = 0.5;
	CHECK(sc_params_check(&p, &e) != 0, "n = 0.5 refused: %s", e.msg);
}

int main(void)
{
	lammps_case("lammps_l05", 0.5, SC_FORM_LAMMPS, 1, 0.5, 2);
	lammps_case("lammps_l025_n2", 0.25, SC_FORM_LAMMPS, 2, 0.7, 2);
	lammps_case("lammps_l09", 0.9, SC_FORM_LAMMPS, 1, 0.5, 2);
	lammps_case("gromacs_l06_p1", 0.6, SC_FORM_GROMACS, 1, 0.5, 1);
	lammps_case("gromacs_l03_p2", 0.3, SC_FORM_GROMACS, 1, 0.3, 2);
	lammps_case("full_l1", 1.0, SC_FORM_LAMMPS, 1, 0.5, 2);
	lammps_case("off_l0", 0.0, SC_FORM_LAMMPS, 1, 0.5, 2);
	pair_tests();
	ends_tests();
	struct sc_params lmp = {SC_FORM_LAMMPS, 1.0, 0.5, 2.0};
	struct sc_params lmp2 = {SC_FORM_LAMMPS, 2.0, 0.7, 2.0};
	struct sc_params gmx = {SC_FORM_GROMACS, 1.0, 0.3, 1.0};
	gradient_tests("lammps n 1, lambda 0.5", &lmp, 0.5, 0, 0);
	gradient_tests("lammps n 2, lambda 0.3, shift", &lmp2, 0.3, 1, 0);
	gradient_tests("gromacs p 1, lambda 0.7, tail", &gmx, 0.7, 0, 1);
	gradient_tests("lammps n 1, lambda 0.05, shift", &lmp, 0.05, 1, 0);
	select_tests();
	return check_done();
}
