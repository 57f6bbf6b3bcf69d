/* Unit tests for common/integrate.c and common/minimize.c.
 *
 * 1. Exact agreement with LAMMPS 29Sep2021 (fixtures/integrate, made by
 *    make.sh there): 100 steps of fix nve, nvt (with a temperature ramp),
 *    npt iso and npt z from the same data file. Tolerances: both codes do
 *    the same floating-point operations up to the order of the force sums,
 *    so they start apart by ~1e-16 relative; an LJ liquid at T ~ 1.5 has a
 *    largest Lyapunov exponent of a few per tau, so over 100 steps
 *    (0.5 tau) the round-off grows by at most ~e^3 ~ 20: 1e-9 relative
 *    leaves five orders of magnitude for that growth while any error in
 *    the algorithm (a wrong mass, order, or factor) shows up at 1e-6 or
 *    more within a few steps.
 * 2. Physics: NVE energy fluctuations scale as dt^2; NVT samples the
 *    canonical mean and variance of the kinetic energy; NPT conserves its
 *    extended energy and holds the mean pressure at the target; Langevin
 *    holds the mean temperature.
 * 3. Minimisation (FIRE, CG) against LAMMPS minimize on the same state.
 * 4. integrator_pack/unpack: a resumed run is bitwise the continued one.
 *
 * Runs on 500 atoms; the statistical runs are shortened under ASan
 * (SK_ASAN), where only the deterministic checks keep their strength. */
#include "check.h"
#include "integrate.h"
#include "lmp_data.h"
#include "md.h"
#include "nbr.h"
#include "system.h"

#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define FIX "../fixtures/integrate/"
#define CUTOFF 2.5
#define SKIN 0.3

#ifdef SK_ASAN
#define LONG_RUNS 0
#else
#define LONG_RUNS 1
#endif

/* ---- fixture helpers -------------------------------------------------- */

struct sim {
	struct system sys;
	struct state st;
	struct nbr_list *nl;
	struct md m;
};

static void sim_free(struct sim *s)
{
	nbr_free(s->nl);
	state_free(&s->st);
	system_free(&s->sys);
	memset(s, 0, sizeof *s);
}

static int sim_load(struct sim *s, const char *path, int shift)
{
	struct err e = {{0}};
	struct lmp_data d;
	memset(s, 0, sizeof *s);
	memset(&d, 0, sizeof d);
	struct system_opts so = {.units = UNITS_LJ, .cutoff = CUTOFF,
				 .mix = MIX_GEOMETRIC, .shift = shift,
				 .tail = 0};
	if (lmp_data_read(&d, path, &e) != 0 ||
	    system_from_data(&s->sys, &s->st, &d, &so, path, &e) != 0 ||
	    nbr_create(&s->nl, s->st.n, CUTOFF, SKIN, &e) != 0) {
		printf("# cannot load %s: %s\n", path, e.msg);
		lmp_data_free(&d);
		sim_free(s);
		return -1;
	}
	lmp_data_free(&d);
	s->m.sys = &s->sys;
	s->m.st = &s->st;
	s->m.nl = s->nl;
	s->m.dt = 0.005;
	if (md_forces(&s->m, &e) != 0) {
		printf("# forces: %s\n", e.msg);
		sim_free(s);
		return -1;
	}
	return 0;
}

/* A copy of s whose neighbour list is built afresh from s's positions
 * (which s's own list must also have been built from: see pack test). */
static int sim_clone(struct sim *dst, const struct sim *src)
{
	struct err e = {{0}};
	memset(dst, 0, sizeof *dst);
	dst->m = src->m;
	dst->m.st = &dst->st;
	dst->m.sys = &src->sys;
	if (state_copy(&dst->st, &src->st, &e) != 0 ||
	    nbr_create(&dst->nl, src->st.n, CUTOFF, SKIN, &e) != 0 ||
	    nbr_build(dst->nl, &dst->st, &e) != 0) {
		printf("# clone: %s\n", e.msg);
		return -1;
	}
	dst->m.nl = dst->nl;
	return 0;
}

static void sim_clone_free(struct sim *s)
{
	nbr_free(s->nl);
	state_free(&s->st);
}

/* LAMMPS `write_dump custom id xu yu zu vx vy vz modify sort id`. */
static int read_dump(const char *path, size_t n, double *xu, double *vel)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp))
		if (!strncmp(line, "ITEM: ATOMS", 11))
			break;
	for (size_t i = 0; i < n; i++) {
		long id;
		if (fscanf(fp, "%ld %lf %lf %lf %lf %lf %lf", &id, &xu[3 * i],
			   &xu[3 * i + 1], &xu[3 * i + 2], &vel[3 * i],
			   &vel[3 * i + 1], &vel[3 * i + 2]) != 7 ||
		    id != (long)i + 1) {
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

/* Thermo rows of make.sh: step pe ke etotal press vol lx ly lz econserved */
#define NTH 10
static int read_thermo(const char *path, double rows[][NTH], int maxrows)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	int n = 0;
	if (!fp)
		return -1;
	while (n < maxrows && fgets(line, sizeof line, fp)) {
		if (line[0] == '#')
			continue;
		double *r = rows[n];
		if (sscanf(line, "%lf %lf %lf %lf %lf %lf %lf %lf %lf %lf", &r[0],
			   &r[1], &r[2], &r[3], &r[4], &r[5], &r[6], &r[7], &r[8],
			   &r[9]) == NTH)
			n++;
	}
	fclose(fp);
	return n;
}

static double read_key(const char *path, const char *key, char *sval,
		       size_t slen)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	size_t kl = strlen(key);
	double v = NAN;
	if (!fp)
		return NAN;
	while (fgets(line, sizeof line, fp))
		if (!strncmp(line, "# ", 2) && !strncmp(line + 2, key, kl) &&
		    line[2 + kl] == ':') {
			char *p = line + 3 + kl;
			while (*p == ' ')
				p++;
			if (sval) {
				snprintf(sval, slen, "%s", p);
				sval[strcspn(sval, "\n")] = 0;
			}
			v = strtod(p, NULL);
		}
	fclose(fp);
	return v;
}

static double thermo_press(const struct md *m)
{
	return md_pressure(m, md_ke(m->sys, m->st));
}

static double rel(double a, double b)
{
	return fabs(a - b) / fmax(fabs(b), 1e-300);
}

/* ---- 1. agreement with LAMMPS ---------------------------------------- */

/* LAMMPS 29Sep2021 reports, for npt iso, our conserved quantity plus
 * 2 kT etap[0] (see integrator_conserved). */
static double lammps_econserved(const struct integrator *it,
				const struct md *m)
{
	double c = integrator_conserved(it, m);
	if (it->o.ens == ENS_NPT && it->o.pcouple == PCOUPLE_ISO)
		c += 2.0 * m->sys->units.boltz * it->t_target * it->pchain.eta[0];
	return c;
}

static void lammps_case(const char *name, const struct integrator_opts *o)
{
	char path[256];
	struct sim s;
	struct integrator it;
	struct err e = {{0}};
	double rows[16][NTH];
	snprintf(path, sizeof path, FIX "%s.thermo", name);
	int nrows = read_thermo(path, rows, 16);
	CHECK(nrows == 11, "%s: LAMMPS thermo has 11 rows (got %d)", name, nrows);
	if (nrows != 11 || sim_load(&s, FIX "liquid.data", 0) != 0)
		return;
	if (integrator_init(&it, o, &s.m, &e) != 0) {
		CHECK(0, "%s: init: %s", name, e.msg);
		sim_free(&s);
		return;
	}
	/* thermo quantities: pe ke press vol lx lz econserved, row by row */
	double dmax[NTH] = {0};
	int ok = 1;
	for (int r = 0; r < nrows && ok; r++) {
		while (s.st.step < (long)rows[r][0])
			if (integrator_step(&it, &s.m, &e) != 0) {
				CHECK(0, "%s: step %ld: %s", name, s.st.step, e.msg);
				ok = 0;
				break;
			}
		double mine[NTH] = {
			(double)s.st.step, energy_pe(&s.m.en), md_ke(&s.sys, &s.st),
			0.0, thermo_press(&s.m), md_volume(&s.st), s.st.len[0],
			s.st.len[1], s.st.len[2], lammps_econserved(&it, &s.m)};
		mine[3] = mine[1] + mine[2];
		for (int c = 1; c < NTH; c++)
			dmax[c] = fmax(dmax[c], rel(mine[c], rows[r][c]));
	}
	if (!ok) {
		sim_free(&s);
		return;
	}
	printf("# %s: max rel diff pe %.2g ke %.2g press %.2g vol %.2g "
	       "lz %.2g econserved %.2g\n", name, dmax[1], dmax[2], dmax[4],
	       dmax[5], dmax[8], dmax[9]);
	CHECK(dmax[1] < 1e-9 && dmax[2] < 1e-9 && dmax[3] < 1e-9,
	      "%s: pe, ke, etotal match LAMMPS every 10 steps to 1e-9 "
	      "(max %.2g %.2g %.2g)", name, dmax[1], dmax[2], dmax[3]);
	/* The pressure is a small difference of large kinetic and virial
	 * terms (|P| ~ 0.1 against 2KE/3V ~ 1): compare it absolutely on the
	 * scale of the kinetic part. */
	CHECK(dmax[5] < 1e-9 && dmax[6] < 1e-9 && dmax[8] < 1e-9,
	      "%s: box matches LAMMPS to 1e-9 (vol %.2g, lx %.2g, lz %.2g)",
	      name, dmax[5], dmax[6], dmax[8]);
	CHECK(dmax[9] < 1e-9, "%s: conserved quantity (etotal + f_ID) matches "
	      "LAMMPS to 1e-9 (max %.2g)", name, dmax[9]);
	if (o->ens == ENS_NPT && o->pcouple == PCOUPLE_ISO) {
		/* The correction is far above round-off, so the check above
		 * tests it. */
		double corr = rel(integrator_conserved(&it, &s.m),
				  lammps_econserved(&it, &s.m));
		printf("# %s: our conserved quantity differs from LAMMPS's by "
		       "%.2g relative (2 kT etap[0])\n", name, corr);
		CHECK(corr > 1e-7, "%s: the iso barostat-chain correction is "
		      "resolved by the comparison (%.2g > 1e-7)", name, corr);
	}
	double pmax = 0.0;
	{
		/* absolute pressure difference at the last row, in units of
		 * the kinetic pressure 2KE/3V */
		double pk = 2.0 * md_ke(&s.sys, &s.st) / (3.0 * md_volume(&s.st));
		pmax = fabs(thermo_press(&s.m) - rows[nrows - 1][4]) / pk;
	}
	CHECK(pmax < 1e-9, "%s: pressure at step 100 matches LAMMPS to 1e-9 of "
	      "2KE/3V (%.2g)", name, pmax);

	/* positions (unwrapped) and velocities after 100 steps */
	size_t n = s.st.n;
	double *xu = malloc(3 * n * sizeof *xu), *vl = malloc(3 * n * sizeof *vl);
	snprintf(path, sizeof path, FIX "%s.dump", name);
	if (!xu || !vl || read_dump(path, n, xu, vl) != 0) {
		CHECK(0, "%s: read %s", name, path);
	} else {
		double dx = 0.0, dv = 0.0, vmax = 0.0;
		for (size_t i = 0; i < n; i++) {
			double p[3] = {s.st.x[i] + s.st.ix[i] * s.st.len[0],
				       s.st.y[i] + s.st.iy[i] * s.st.len[1],
				       s.st.z[i] + s.st.iz[i] * s.st.len[2]};
			double v[3] = {s.st.vx[i], s.st.vy[i], s.st.vz[i]};
			for (int a = 0; a < 3; a++) {
				dx = fmax(dx, fabs(p[a] - xu[3 * i + a]));
				dv = fmax(dv, fabs(v[a] - vl[3 * i + a]));
				vmax = fmax(vmax, fabs(vl[3 * i + a]));
			}
		}
		dx /= s.st.len[0];
		dv /= vmax;
		printf("# %s: after 100 steps max |dx|/L %.2g, max |dv|/max|v| "
		       "%.2g\n", name, dx, dv);
		CHECK(dx < 1e-9, "%s: positions after 100 steps match LAMMPS "
		      "(max |dx|/L = %.2g < 1e-9)", name, dx);
		CHECK(dv < 1e-9, "%s: velocities after 100 steps match LAMMPS "
		      "(max |dv|/max|v| = %.2g < 1e-9)", name, dv);
	}
	free(xu);
	free(vl);
	sim_free(&s);
}

static void test_lammps(void)
{
	struct integrator_opts nve = {.ens = ENS_NVE, .dt = 0.005,
				      .nsteps_total = 100};
	struct integrator_opts nvt = {.ens = ENS_NVT, .dt = 0.005, .temp = 1.0,
				      .temp_stop = 1.2, .tdamp = 0.1,
				      .tchain = 3, .nsteps_total = 100};
	struct integrator_opts iso = {.ens = ENS_NPT, .dt = 0.005, .temp = 1.1,
				      .temp_stop = 1.1, .tdamp = 0.1,
				      .tchain = 3, .press = 0.5, .pdamp = 0.5,
				      .pchain = 3, .pcouple = PCOUPLE_ISO,
				      .nsteps_total = 100};
	struct integrator_opts z = iso;
	z.pcouple = PCOUPLE_Z;
	lammps_case("nve", &nve);
	lammps_case("nvt", &nvt);
	lammps_case("npt_iso", &iso);
	lammps_case("npt_z", &z);
}

/* ---- statistics helpers ------------------------------------------------ */

/* Mean of x[0..n) and its standard error from nb equal blocks (blocks much
 * longer than the correlation time, so block means are independent). */
static double block_mean(const double *x, long n, int nb, double *se)
{
	long bl = n / nb;
	double bm[64], mean = 0.0, var = 0.0;
	for (int b = 0; b < nb; b++) {
		double a = 0.0;
		for (long i = b * bl; i < (b + 1) * bl; i++)
			a += x[i];
		bm[b] = a / bl;
		mean += bm[b];
	}
	mean /= nb;
	for (int b = 0; b < nb; b++)
		var += (bm[b] - mean) * (bm[b] - mean);
	*se = sqrt(var / (nb - 1) / nb);
	return mean;
}

/* Run nsteps, storing f(m) after each step in out (if not NULL). */
static int run_steps(struct integrator *it, struct sim *s, long nsteps,
		     double (*f)(const struct integrator *, const struct md *),
		     double *out)
{
	struct err e = {{0}};
	for (long i = 0; i < nsteps; i++) {
		if (integrator_step(it, &s->m, &e) != 0) {
			CHECK(0, "step %ld: %s", s->st.step, e.msg);
			return -1;
		}
		if (out)
			out[i] = f(it, &s->m);
	}
	return 0;
}

static double q_conserved(const struct integrator *it, const struct md *m)
{
	return integrator_conserved(it, m);
}

static double q_temp(const struct integrator *it, const struct md *m)
{
	(void)it;
	return md_temp(m->sys, m->st);
}

static double q_ke(const struct integrator *it, const struct md *m)
{
	(void)it;
	return md_ke(m->sys, m->st);
}

static double q_press(const struct integrator *it, const struct md *m)
{
	(void)it;
	return thermo_press(m);
}

static double q_pzz(const struct integrator *it, const struct md *m)
{
	double p[6];
	(void)it;
	md_pressure_tensor(m, p);
	return p[2];
}

static double rms_dev(const double *x, long n)
{
	double m = 0.0, v = 0.0;
	for (long i = 0; i < n; i++)
		m += x[i];
	m /= n;
	for (long i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	return sqrt(v / n);
}

/* ---- 2. physics ---------------------------------------------------------- */

/* Velocity Verlet is second order: the energy error of the shadow
 * Hamiltonian scales as dt^2, so over the same stretch of time (2 tau) the
 * RMS fluctuation of E at dt is 4x that at dt/2. The potential is shifted
 * (pair_modify shift yes) so that E has no jumps at the cutoff; the force
 * jump left there adds an O(dt)-per-crossing error that keeps the ratio a
 * little under 4, hence the window [3, 5]. */
static void test_nve(void)
{
	struct sim s;
	struct integrator it;
	struct err e = {{0}};
	long na = LONG_RUNS ? 2000 : 400, nb = 800;
	double *ea = malloc(na * sizeof *ea), *eb = malloc(nb * sizeof *eb);
	if (!ea || !eb)
		goto out;
	struct integrator_opts o = {.ens = ENS_NVE, .dt = 0.005};
	if (sim_load(&s, FIX "liquid.data", 1) != 0)
		goto out;
	double e0 = 0.0;
	if (integrator_init(&it, &o, &s.m, &e) == 0) {
		e0 = integrator_conserved(&it, &s.m);
		run_steps(&it, &s, na, q_conserved, ea);
	}
	double nkt = s.sys.natoms * md_temp(&s.sys, &s.st);
	sim_free(&s);
	o.dt = 0.0025;
	if (sim_load(&s, FIX "liquid.data", 1) != 0)
		goto out;
	if (integrator_init(&it, &o, &s.m, &e) == 0)
		run_steps(&it, &s, nb, q_conserved, eb);
	sim_free(&s);

	double ra = rms_dev(ea, 400), rb = rms_dev(eb, nb);
	printf("# nve: rms(E) over 2 tau %.4g at dt 0.005, %.4g at dt 0.0025 "
	       "(ratio %.3f)\n", ra, rb, ra / rb);
	CHECK(ra / rb > 3.0 && ra / rb < 5.0, "nve: energy fluctuation scales "
	      "as dt^2 (ratio %.3f in [3, 5])", ra / rb);
	/* Size: the shadow-Hamiltonian fluctuation at dt = 0.005 tau is
	 * ~1e-4 of N kB T for an LJ liquid; 1e-3 flags a wrong factor. */
	CHECK(ra / nkt < 1e-3, "nve: rms(E) / (N kB T) = %.2g < 1e-3", ra / nkt);
	/* No secular drift over 10 tau: the mean of the second half differs
	 * from the first by less than the fluctuation itself. */
	double m1 = 0.0, m2 = 0.0, maxdev = 0.0;
	for (long i = 0; i < na / 2; i++)
		m1 += ea[i], m2 += ea[na / 2 + i];
	m1 /= na / 2;
	m2 /= na / 2;
	for (long i = 0; i < na; i++)
		maxdev = fmax(maxdev, fabs(ea[i] - e0));
	printf("# nve: %ld steps: drift of the mean %.3g, max |E - E0| %.3g, "
	       "rms %.3g\n", na, m2 - m1, maxdev, rms_dev(ea, na));
	CHECK(fabs(m2 - m1) < rms_dev(ea, na), "nve: no drift over %ld steps "
	      "(|mean2 - mean1| = %.3g < rms %.3g)", na, fabs(m2 - m1),
	      rms_dev(ea, na));
out:
	free(ea);
	free(eb);
}

/* Nose-Hoover chains sample the canonical distribution of the kinetic
 * energy, <KE> = dof/2 kB T and var(KE) = dof/2 (kB T)^2, and conserve
 * their extended energy. */
static void test_nvt(void)
{
	struct sim s;
	struct integrator it;
	struct err e = {{0}};
	const double t0 = 1.5;
	long neq = LONG_RUNS ? 1000 : 50, n = LONG_RUNS ? 16000 : 200;
	double *ke = malloc(n * sizeof *ke);
	struct integrator_opts o = {.ens = ENS_NVT, .dt = 0.005, .temp = t0,
				    .temp_stop = t0, .tdamp = 0.1, .tchain = 3};
	if (!ke || sim_load(&s, FIX "liquid.data", 1) != 0)
		goto out;
	if (integrator_init(&it, &o, &s.m, &e) != 0) {
		CHECK(0, "nvt: init: %s", e.msg);
		sim_free(&s);
		goto out;
	}
	double c0 = integrator_conserved(&it, &s.m), dmax = 0.0;
	for (long i = 0; i < neq + n; i++) {
		if (run_steps(&it, &s, 1, NULL, NULL) != 0)
			break;
		dmax = fmax(dmax, fabs(integrator_conserved(&it, &s.m) - c0));
		if (i >= neq)
			ke[i - neq] = q_ke(&it, &s.m);
	}
	double dof = s.sys.dof, kb = s.sys.units.boltz;
	double nkt = s.sys.natoms * kb * t0;
	sim_free(&s);
	if (!LONG_RUNS)
		goto out;
	/* The chain moves on the scale Tdamp >> dt: the extended energy
	 * fluctuates like the NVE energy, ~1e-4 N kT at this dt. */
	printf("# nvt: max |Econs - E0| over %ld steps %.3g, N kB T = %.0f\n",
	       neq + n, dmax, nkt);
	CHECK(dmax < 5e-3 * nkt, "nvt: extended energy conserved (max dev "
	      "%.3g < 5e-3 N kB T = %.3g)", dmax, 5e-3 * nkt);
	double se, mean = block_mean(ke, n, 16, &se);
	double tmean = 2.0 * mean / (dof * kb), tse = 2.0 * se / (dof * kb);
	double var = rms_dev(ke, n);
	var *= var;
	double var_can = 0.5 * dof * (kb * t0) * (kb * t0);
	/* block error of the variance: variances of the 16 blocks */
	double bv[16], vm = 0.0, vse = 0.0;
	for (int b = 0; b < 16; b++) {
		double r = rms_dev(ke + b * (n / 16), n / 16);
		bv[b] = r * r;
		vm += bv[b] / 16;
	}
	for (int b = 0; b < 16; b++)
		vse += (bv[b] - vm) * (bv[b] - vm);
	vse = sqrt(vse / 15 / 16);
	printf("# nvt: <T> = %.5f +- %.5f (target %g); var(KE) = %.1f +- %.1f, "
	       "canonical %.1f\n", tmean, tse, t0, var, vse, var_can);
	CHECK(fabs(tmean - t0) < 4.0 * tse, "nvt: mean T %.5f within 4 standard "
	      "errors (%.5f) of %g", tmean, tse, t0);
	CHECK(fabs(var / var_can - 1.0) < 0.15, "nvt: var(KE)/(dof/2 (kT)^2) = "
	      "%.3f within 15%% of 1 (block error %.3f)", var / var_can,
	      vse / var_can);
out:
	free(ke);
}

/* NPT (MTK): the extended energy is conserved, and the mean instantaneous
 * pressure (the component for z coupling) equals the target. Shifted
 * potential so that E has no jumps when pairs cross the cutoff. */
static void npt_case(const char *name, enum pcouple pc)
{
	struct sim s;
	struct integrator it;
	struct err e = {{0}};
	const double p0 = 5.0;
	long neq = LONG_RUNS ? 1000 : 50, n = LONG_RUNS ? 6000 : 200;
	double *pp = malloc(n * sizeof *pp);
	struct integrator_opts o = {.ens = ENS_NPT, .dt = 0.005, .temp = 1.5,
				    .temp_stop = 1.5, .tdamp = 0.5, .tchain = 3,
				    .press = p0, .pdamp = 1.0, .pchain = 3,
				    .pcouple = pc};
	if (!pp || sim_load(&s, FIX "liquid.data", 1) != 0)
		goto out;
	double lx0 = s.st.len[0], ly0 = s.st.len[1];
	if (integrator_init(&it, &o, &s.m, &e) != 0) {
		CHECK(0, "%s: init: %s", name, e.msg);
		sim_free(&s);
		goto out;
	}
	double c0 = integrator_conserved(&it, &s.m);
	double l0 = lammps_econserved(&it, &s.m);
	double dmax = 0.0, dlmp = 0.0;
	for (long i = 0; i < neq + n; i++) {
		if (run_steps(&it, &s, 1, NULL, NULL) != 0)
			break;
		dmax = fmax(dmax, fabs(integrator_conserved(&it, &s.m) - c0));
		dlmp = fmax(dlmp, fabs(lammps_econserved(&it, &s.m) - l0));
		if (i >= neq)
			pp[i - neq] = pc == PCOUPLE_ISO ? q_press(&it, &s.m)
							: q_pzz(&it, &s.m);
	}
	double nkt = s.sys.natoms * s.sys.units.boltz * o.temp;
	int xy_fixed = s.st.len[0] == lx0 && s.st.len[1] == ly0;
	sim_free(&s);
	if (pc == PCOUPLE_Z)
		CHECK(xy_fixed, "%s: x and y box lengths stay exactly fixed", name);
	if (!LONG_RUNS)
		goto out;
	printf("# %s: max |Econs - E0| over %ld steps %.3g (LAMMPS's definition "
	       "%.3g), N kB T = %.0f\n", name, neq + n, dmax, dlmp, nkt);
	/* The barostat and chains move slowly; the fluctuation is that of
	 * the particles' Verlet step, ~1e-3 N kT at most over 35 tau here. */
	CHECK(dmax < 5e-3 * nkt, "%s: extended energy conserved (max dev "
	      "%.3g < 5e-3 N kB T = %.3g)", name, dmax, 5e-3 * nkt);
	double se, mean = block_mean(pp, n, 20, &se);
	printf("# %s: <P> = %.4f +- %.4f (target %g)\n", name, mean, se, p0);
	CHECK(fabs(mean - p0) < 4.0 * se, "%s: mean pressure %.4f within 4 "
	      "standard errors (%.4f) of %g", name, mean, se, p0);
out:
	free(pp);
}

static void test_npt(void)
{
	npt_case("npt iso", PCOUPLE_ISO);
	npt_case("npt z", PCOUPLE_Z);
}

/* Langevin (fix langevin + fix nve): the mean temperature is the target;
 * same seed -> same trajectory, another seed -> another one. */
static void test_langevin(void)
{
	struct sim s;
	struct integrator it;
	struct err e = {{0}};
	long neq = LONG_RUNS ? 1000 : 50, n = LONG_RUNS ? 6000 : 200;
	double *t = malloc(n * sizeof *t);
	struct integrator_opts o = {.ens = ENS_LANGEVIN, .dt = 0.005,
				    .temp = 1.0, .temp_stop = 1.0,
				    .langevin_damp = 0.1, .seed = 2024};
	if (!t || sim_load(&s, FIX "liquid.data", 0) != 0)
		goto out;
	if (integrator_init(&it, &o, &s.m, &e) != 0) {
		CHECK(0, "langevin: init: %s", e.msg);
		sim_free(&s);
		goto out;
	}
	CHECK(isnan(integrator_conserved(&it, &s.m)),
	      "langevin: no conserved quantity (NaN)");
	run_steps(&it, &s, neq, NULL, NULL);
	run_steps(&it, &s, n, q_temp, t);
	sim_free(&s);
	if (LONG_RUNS) {
		double se, mean = block_mean(t, n, 20, &se);
		printf("# langevin: <T> = %.5f +- %.5f (target 1)\n", mean, se);
		CHECK(fabs(mean - 1.0) < 4.0 * se, "langevin: mean T %.5f within 4 "
		      "standard errors (%.5f) of 1", mean, se);
	}

	/* reproducibility */
	double xa[3], xb[3], xc[3];
	for (int k = 0; k < 3; k++) {
		struct sim r;
		o.seed = k == 2 ? 7 : 2024;
		if (sim_load(&r, FIX "liquid.data", 0) != 0 ||
		    integrator_init(&it, &o, &r.m, &e) != 0)
			goto out;
		run_steps(&it, &r, 20, NULL, NULL);
		double *dst = k == 0 ? xa : k == 1 ? xb : xc;
		dst[0] = r.st.x[7];
		dst[1] = r.st.vy[7];
		dst[2] = r.st.fz[7];
		sim_free(&r);
	}
	CHECK(!memcmp(xa, xb, sizeof xa), "langevin: same seed, bitwise same "
	      "trajectory");
	CHECK(memcmp(xa, xc, sizeof xa) != 0, "langevin: other seed, other "
	      "trajectory");
out:
	free(t);
}

/* ---- 3. minimisation ----------------------------------------------------- */

static void min_case(enum min_style style, const char *name)
{
	char path[256], stop[128] = "";
	struct sim s;
	struct err e = {{0}};
	struct min_result r;
	snprintf(path, sizeof path, FIX "min_%s.out", name);
	double l_e0 = read_key(path, "e_initial", NULL, 0);
	double l_e1 = read_key(path, "e_final", NULL, 0);
	double l_iters = read_key(path, "iters", NULL, 0);
	double l_f = read_key(path, "fnorm2_final", NULL, 0);
	double l_f0 = read_key(path, "fnorm2_initial", NULL, 0);
	read_key(path, "stop", stop, sizeof stop);
	CHECK(isfinite(l_e0) && isfinite(l_e1) && stop[0], "min %s: LAMMPS "
	      "reference %s read", name, path);
	if (sim_load(&s, FIX "liquid.data", 0) != 0)
		return;
	size_t n = s.st.n;
	double *v0 = malloc(3 * n * sizeof *v0);
	if (!v0) {
		sim_free(&s);
		return;
	}
	memcpy(v0, s.st.vx, n * sizeof *v0);
	memcpy(v0 + n, s.st.vy, n * sizeof *v0);
	memcpy(v0 + 2 * n, s.st.vz, n * sizeof *v0);
	double box[6] = {s.st.lo[0], s.st.lo[1], s.st.lo[2], s.st.len[0],
			 s.st.len[1], s.st.len[2]};
	struct min_opts mo = {.style = style, .etol = 0.0, .ftol = 1e-6,
			      .maxiter = 5000, .maxeval = 100000, .dmax = 0.1,
			      .dt = 0.005};
	if (minimize_run(&s.m, &mo, &r, &e) != 0) {
		CHECK(0, "min %s: %s", name, e.msg);
		free(v0);
		sim_free(&s);
		return;
	}
	double na = (double)s.sys.natoms;
	printf("# min %s: %ld iterations, %ld evaluations, E/N %.12g -> %.12g, "
	       "|F| %.3g, stop '%s' (LAMMPS: %g iterations, E/N %.12g, |F| %.3g, "
	       "'%s')\n", name, r.iters, r.evals, r.e_start / na, r.e_final / na,
	       r.fnorm2, r.stop_reason, l_iters, l_e1, l_f, stop);
	CHECK_CLOSE(r.e_start / na, l_e0, 1e-12, 0.0, "min: initial energy per "
		    "atom as LAMMPS");
	/* Both follow the same algorithm from the same state, but a quench
	 * of a liquid is chaotic: after a few hundred line searches the two
	 * may sit in neighbouring minima. Their energies differ by much less
	 * than the energy given up on the way (E0 - E1 ~ 2 per atom). */
	double drop = l_e0 - l_e1;
	CHECK(fabs(r.e_final / na - l_e1) < 0.02 * drop, "min %s: final energy "
	      "per atom %.8g within 2%% of the quench depth of LAMMPS's %.8g",
	      name, r.e_final / na, l_e1);
	CHECK(r.e_final < r.e_start, "min %s: energy decreased", name);
	/* CG stops, as LAMMPS does here, when the line search can no longer
	 * resolve an energy decrease (changes below EMACH = 1e-8 per atom),
	 * with |F| down by two orders of magnitude rather than at ftol. */
	CHECK(r.fnorm2 < 1e-2 * l_f0, "min %s: forces reduced more than 100x "
	      "(|F|_2 %.3g -> %.3g)", name, l_f0, r.fnorm2);
	CHECK(!strcmp(r.stop_reason, stop), "min %s: stops for the reason "
	      "LAMMPS gives ('%s')", name, stop);
	if (!strcmp(r.stop_reason, "force tolerance"))
		CHECK(r.fnorm2 < mo.ftol, "min %s: stopped on ftol with |F|_2 = "
		      "%.3g < %g", name, r.fnorm2, mo.ftol);
	CHECK(!memcmp(v0, s.st.vx, n * sizeof *v0) &&
	      !memcmp(v0 + n, s.st.vy, n * sizeof *v0) &&
	      !memcmp(v0 + 2 * n, s.st.vz, n * sizeof *v0),
	      "min %s: velocities unchanged", name);
	CHECK(box[0] == s.st.lo[0] && box[3] == s.st.len[0] &&
	      box[5] == s.st.len[2], "min %s: box unchanged", name);
	free(v0);
	sim_free(&s);
}

static void test_minimize(void)
{
	min_case(MIN_FIRE, "fire");
	min_case(MIN_CG, "cg");

	/* stopping criteria */
	struct sim s;
	struct err e = {{0}};
	struct min_result r;
	struct min_opts mo = {.style = MIN_FIRE, .etol = 0.0, .ftol = 0.0,
			      .maxiter = 10, .maxeval = 1000};
	if (sim_load(&s, FIX "liquid.data", 0) != 0)
		return;
	/* LAMMPS FIRE: one extra evaluation for the velocity estimate of
	 * the first iteration (log: 100 iterations, 101 evaluations). */
	if (minimize_run(&s.m, &mo, &r, &e) == 0)
		CHECK(r.iters == 10 && r.evals == 11 &&
		      !strcmp(r.stop_reason, "max iterations"),
		      "min fire: maxiter 10 -> 10 iterations, 11 evaluations, "
		      "'max iterations' (got %ld, %ld, '%s')", r.iters, r.evals,
		      r.stop_reason);
	mo.style = MIN_CG;
	mo.maxiter = 1000;
	mo.maxeval = 15;
	if (minimize_run(&s.m, &mo, &r, &e) == 0)
		CHECK(r.evals >= 15 && !strcmp(r.stop_reason,
					       "max force evaluations"),
		      "min cg: maxeval 15 -> 'max force evaluations' after %ld",
		      r.evals);
	mo.maxeval = 100000;
	mo.etol = 1e-4;
	double eprev = energy_pe(&s.m.en);
	if (minimize_run(&s.m, &mo, &r, &e) == 0)
		CHECK(!strcmp(r.stop_reason, "energy tolerance") &&
		      r.e_final <= eprev,
		      "min cg: etol 1e-4 -> 'energy tolerance' (got '%s' after "
		      "%ld iterations)", r.stop_reason, r.iters);
	mo.etol = -1.0;
	CHECK(minimize_run(&s.m, &mo, &r, &e) != 0 && e.msg[0],
	      "min: negative etol rejected (%s)", e.msg);
	sim_free(&s);
}

/* ---- 4. pack / unpack ------------------------------------------------------ */

static int same_state(const struct state *a, const struct state *b)
{
	size_t nd = a->n * sizeof(double);
	return a->n == b->n && !memcmp(a->x, b->x, nd) &&
	       !memcmp(a->y, b->y, nd) && !memcmp(a->z, b->z, nd) &&
	       !memcmp(a->vx, b->vx, nd) && !memcmp(a->vy, b->vy, nd) &&
	       !memcmp(a->vz, b->vz, nd) && !memcmp(a->len, b->len,
						     sizeof a->len) &&
	       !memcmp(a->lo, b->lo, sizeof a->lo) && a->step == b->step;
}

/* md_forces_kick (the final half kick folded into the pair pass) gives
 * bitwise the forces and velocities of md_forces_eflag followed by
 * md_kick, at 1, 2 and 3 threads, with and without energies; and fails
 * on overlapping atoms as md_forces does. */
static void test_kick(void)
{
	struct sim s;
	struct err e = {{0}};
	if (sim_load(&s, FIX "liquid.data", 1) != 0)
		return;
	const double dtf = 0.5 * 0.005 * s.sys.units.ftm2v;
	for (int nt = 1; nt <= 3; nt++) {
#ifdef _OPENMP
		omp_set_num_threads(nt);
#endif
		for (int energy = 0; energy <= 1; energy++) {
			struct sim a, b;
			if (sim_clone(&a, &s) != 0 || sim_clone(&b, &s) != 0)
				break;
			int ra = md_forces_eflag(&a.m, energy, &e);
			md_kick(a.m.sys, &a.st, dtf);
			int rb = md_forces_kick(&b.m, energy, dtf, &e);
			size_t nd = s.st.n * sizeof(double);
			CHECK(ra == 0 && rb == 0 && same_state(&a.st, &b.st) &&
			      !memcmp(a.st.fx, b.st.fx, nd) &&
			      !memcmp(a.st.fy, b.st.fy, nd) &&
			      !memcmp(a.st.fz, b.st.fz, nd),
			      "fused kick = forces then kick, %d thread(s), "
			      "energy %d", nt, energy);
			/* and the kick did something */
			CHECK(memcmp(b.st.vx, s.st.vx, nd) != 0,
			      "the kick changed the velocities (%d threads)", nt);
			if (energy)
				CHECK(a.m.en.evdwl == b.m.en.evdwl &&
				      !memcmp(a.m.en.virial, b.m.en.virial,
					      sizeof a.m.en.virial),
				      "same energy and virial (%d threads)", nt);
			/* atom 1 on top of atom 0: infinite forces */
			b.st.x[1] = b.st.x[0];
			b.st.y[1] = b.st.y[0];
			b.st.z[1] = b.st.z[0];
			CHECK(md_forces_kick(&b.m, energy, dtf, &e) != 0 &&
			      strstr(e.msg, "non-finite"),
			      "overlap refused by the fused kick (%d threads): %s",
			      nt, e.msg);
			sim_clone_free(&a);
			sim_clone_free(&b);
		}
	}
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	sim_free(&s);
}

/* NVE steps through integrator_step (md_step_nve: drift, rebuild check
 * and final kick in the pair pass, with the rebuilds they meet) equal
 * bitwise a plain loop of kick and drift, md_forces_eflag and md_kick, at
 * 1-3 threads, with the atoms in input order and renumbered at builds
 * (md_reorder); so do the energy and virial of the steps that compute
 * them. */
static void test_step_nve(void)
{
	struct err e = {{0}};
	const double dt = 0.005;
	const long nsteps = 60;
	for (int nt = 1; nt <= 3; nt++) {
#ifdef _OPENMP
		omp_set_num_threads(nt);
#endif
		for (int reorder = 0; reorder <= 1; reorder++) {
			struct sim a, b;
			if (sim_load(&a, FIX "liquid.data", 1) != 0)
				break;
			if (sim_load(&b, FIX "liquid.data", 1) != 0) {
				sim_free(&a);
				break;
			}
			const double dtf = 0.5 * dt * a.sys.units.ftm2v;
			int ok = 1;
			if (reorder)
				ok = md_allow_reorder(&a.m, &a.sys, &e) == 0 &&
				     md_allow_reorder(&b.m, &b.sys, &e) == 0;
			struct integrator_opts o = {.ens = ENS_NVE, .dt = dt};
			struct integrator it;
			ok = ok && integrator_init(&it, &o, &a.m, &e) == 0;
			long b0 = nbr_nbuilds(a.nl);
			int same_en = 1;
			for (long k = 0; k < nsteps && ok; k++) {
				/* energies on every 7th step, as thermo output */
				const int energy = k % 7 == 6;
				a.m.forces_only = !energy;
				ok = integrator_step(&it, &a.m, &e) == 0;
				struct state *st = &b.st;
				for (size_t i = 0; i < st->n; i++) {
					double dtfm = dtf / b.sys.mass[i];
					st->vx[i] += dtfm * st->fx[i];
					st->vy[i] += dtfm * st->fy[i];
					st->vz[i] += dtfm * st->fz[i];
					st->x[i] += dt * st->vx[i];
					st->y[i] += dt * st->vy[i];
					st->z[i] += dt * st->vz[i];
				}
				st->step++;
				ok = ok && md_forces_eflag(&b.m, energy, &e) == 0;
				md_kick(b.m.sys, st, dtf);
				if (energy)
					same_en &= a.m.en.evdwl == b.m.en.evdwl &&
						   !memcmp(a.m.en.virial, b.m.en.virial,
							   sizeof a.m.en.virial);
			}
			CHECK(ok && same_state(&a.st, &b.st) && same_en &&
			      nbr_nbuilds(a.nl) > b0 &&
			      nbr_nbuilds(a.nl) == nbr_nbuilds(b.nl) &&
			      (!reorder || !memcmp(a.m.orig, b.m.orig,
						   a.st.n * sizeof *a.m.orig)),
			      "NVE steps = separate loops over "
			      "%ld steps (%ld rebuilds), %d thread(s), reorder %d",
			      nsteps, nbr_nbuilds(a.nl) - b0, nt, reorder);
			md_free_order(&a.m);
			md_free_order(&b.m);
			sim_free(&a);
			sim_free(&b);
		}
	}
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
}

/* Largest |a - b| over positions and velocities. */
static double state_maxdiff(const struct state *a, const struct state *b)
{
	const double *pa[6] = {a->x, a->y, a->z, a->vx, a->vy, a->vz};
	const double *pb[6] = {b->x, b->y, b->z, b->vx, b->vy, b->vz};
	double d = 0.0;
	for (int k = 0; k < 6; k++)
		for (size_t i = 0; i < a->n; i++)
			d = fmax(d, fabs(pa[k][i] - pb[k][i]));
	return d;
}

/* NVT steps of LJ pairs (the fused pass, nvt_step_pairs: thermostat
 * scaling, kick, drift, rebuild check, forces, final kick and the kinetic
 * energy in one parallel region) against nh_step's separate loops
 * (m->separate_loops), through rebuilds, with the atoms in input order and
 * renumbered: on 1 thread bitwise the same state, chain (the conserved
 * quantity) and energies; on 2 and 3 the kinetic energy is summed by work
 * item, so equal to round-off. */
static void test_step_nvt(void)
{
	struct err e = {{0}};
	const long nsteps = 80;
	for (int nt = 1; nt <= 3; nt++) {
#ifdef _OPENMP
		omp_set_num_threads(nt);
#endif
		for (int reorder = 0; reorder <= 1; reorder++) {
			struct sim a, b;
			if (sim_load(&a, FIX "liquid.data", 1) != 0)
				break;
			if (sim_load(&b, FIX "liquid.data", 1) != 0) {
				sim_free(&a);
				break;
			}
			b.m.separate_loops = 1;
			int ok = 1;
			if (reorder)
				ok = md_allow_reorder(&a.m, &a.sys, &e) == 0 &&
				     md_allow_reorder(&b.m, &b.sys, &e) == 0;
			/* a ramp and a short tdamp: the chain works hard */
			struct integrator_opts o = {.ens = ENS_NVT, .dt = 0.005,
						    .temp = 1.4, .temp_stop = 0.9,
						    .tdamp = 0.1, .tchain = 3,
						    .nsteps_total = nsteps};
			struct integrator ia, ib;
			ok = ok && integrator_init(&ia, &o, &a.m, &e) == 0 &&
			     integrator_init(&ib, &o, &b.m, &e) == 0;
			long b0 = nbr_nbuilds(a.nl);
			int same_en = 1;
			double den = 0.0;
			for (long k = 0; k < nsteps && ok; k++) {
				/* the last step's: the conserved quantity */
				const int energy = k % 7 == 6 || k == nsteps - 1;
				a.m.forces_only = b.m.forces_only = !energy;
				ok = integrator_step(&ia, &a.m, &e) == 0 &&
				     integrator_step(&ib, &b.m, &e) == 0;
				if (ok && energy) {
					same_en &= a.m.en.evdwl == b.m.en.evdwl &&
						   !memcmp(a.m.en.virial, b.m.en.virial,
							   sizeof a.m.en.virial);
					den = fmax(den, fabs(a.m.en.evdwl - b.m.en.evdwl) /
							  fabs(b.m.en.evdwl));
				}
			}
			const double ca = integrator_conserved(&ia, &a.m),
				     cb = integrator_conserved(&ib, &b.m);
			const long nb = nbr_nbuilds(a.nl) - b0;
			if (nt == 1)
				CHECK(ok && same_state(&a.st, &b.st) && same_en &&
				      !memcmp(&ca, &cb, sizeof ca) && nb > 0 &&
				      nbr_nbuilds(a.nl) == nbr_nbuilds(b.nl),
				      "NVT fused steps = separate loops bitwise over "
				      "%ld steps (%ld rebuilds), 1 thread, reorder %d",
				      nsteps, nb, reorder);
			else
				CHECK(ok && state_maxdiff(&a.st, &b.st) < 1e-9 &&
				      den < 1e-12 && fabs(ca - cb) < 1e-9 * fabs(cb) &&
				      nb > 0,
				      "NVT fused steps = separate loops to round-off "
				      "over %ld steps (%ld rebuilds), %d threads, "
				      "reorder %d: max diff %.2g, pe %.2g, conserved "
				      "%.2g", nsteps, nb, nt, reorder,
				      state_maxdiff(&a.st, &b.st), den,
				      fabs(ca - cb) / fabs(cb));
			md_free_order(&a.m);
			md_free_order(&b.m);
			sim_free(&a);
			sim_free(&b);
		}
	}
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
}

/* The Nose-Hoover steps' general path (NPT iso and z, and NVT through
 * m->separate_loops: per-atom loops by work item, kinetic sums by item)
 * on 2 and 3 threads against 1, atoms renumbered at builds: equal to
 * round-off (positions, velocities, box, conserved quantity). An atom
 * range left out of a loop, or an item counted twice in a sum, fails. */
static void test_threads_nh(void)
{
	struct err e = {{0}};
	const long nsteps = 60;
	const struct integrator_opts base = {.dt = 0.005, .temp = 1.2,
					     .tdamp = 0.1, .press = 1.0,
					     .pdamp = 0.5,
					     .nsteps_total = nsteps};
	for (int c = 0; c < 3; c++) {
		struct integrator_opts o = base;
		o.ens = c < 2 ? ENS_NPT : ENS_NVT;
		o.pcouple = c == 1 ? PCOUPLE_Z : PCOUPLE_ISO;
		const char *name = c == 0 ? "NPT iso" : c == 1 ? "NPT z" : "NVT";
		struct sim ref;
		struct integrator iref;
		double cref = 0.0;
		int ok = 1;
		for (int nt = 1; nt <= 3 && ok; nt++) {
#ifdef _OPENMP
			omp_set_num_threads(nt);
#endif
			struct sim a;
			struct integrator ia;
			struct sim *s = nt == 1 ? &ref : &a;
			struct integrator *it = nt == 1 ? &iref : &ia;
			if (sim_load(s, FIX "liquid.data", 1) != 0) {
				ok = 0;
				break;
			}
			s->m.separate_loops = 1;
			ok = md_allow_reorder(&s->m, &s->sys, &e) == 0 &&
			     integrator_init(it, &o, &s->m, &e) == 0;
			for (long k = 0; k < nsteps && ok; k++) {
				s->m.forces_only = k != nsteps - 1;
				ok = integrator_step(it, &s->m, &e) == 0;
			}
			/* compare in input order */
			md_input_order(&s->m);
			const double cq = integrator_conserved(it, &s->m);
			if (nt == 1) {
				cref = cq;
				continue;
			}
			const double d = state_maxdiff(&a.st, &ref.st);
			double dl = 0.0;
			for (int k = 0; k < 3; k++)
				dl = fmax(dl, fabs(a.st.len[k] - ref.st.len[k]));
			CHECK(ok && d < 1e-9 && dl < 1e-12 &&
			      fabs(cq - cref) < 1e-9 * fabs(cref),
			      "%s general path, %d threads = 1 thread to "
			      "round-off over %ld steps: max diff %.2g, box %.2g, "
			      "conserved %.2g", name, nt, nsteps, d, dl,
			      fabs(cq - cref) / fabs(cref));
			md_free_order(&a.m);
			sim_free(&a);
		}
		if (!ok)
			CHECK(0, "%s general path: %s", name, e.msg);
		md_free_order(&ref.m);
		sim_free(&ref);
	}
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
}

/* A velocity gone NaN: the next NVE step (drift in the pair pass) stops
 * with the atom named, at 1 and 2 threads, rather than carrying it on. */
static void test_step_nan(void)
{
	struct err e = {{0}};
	for (int nt = 1; nt <= 2; nt++) {
#ifdef _OPENMP
		omp_set_num_threads(nt);
#endif
		struct sim a;
		if (sim_load(&a, FIX "liquid.data", 1) != 0)
			break;
		struct integrator_opts o = {.ens = ENS_NVE, .dt = 0.005};
		struct integrator it;
		int ok = integrator_init(&it, &o, &a.m, &e) == 0;
		for (int k = 0; k < 3 && ok; k++)
			ok = integrator_step(&it, &a.m, &e) == 0;
		a.st.vx[5] = NAN;
		int rc = ok ? integrator_step(&it, &a.m, &e) : 0;
		CHECK(ok && rc != 0 && strstr(e.msg, "non-finite position"),
		      "NaN velocity: the step fails (%d threads): %s", nt,
		      e.msg);
		sim_free(&a);
	}
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
}

/* Run N steps, pack, continue M steps; a fresh integrator unpacked onto a
 * copy of the state after N steps runs the same M steps bit for bit. The
 * neighbour list is rebuilt at the checkpoint in both runs (as run.c
 * restores it), so that forces are summed in the same order. */
static void pack_case(const char *name, const struct integrator_opts *o)
{
	struct sim a, b;
	struct integrator ia, ib;
	struct err e = {{0}};
	double buf[INTEGRATOR_PACK_MAX], buf2[INTEGRATOR_PACK_MAX];
	const long N = 30, M = 40;
	if (sim_load(&a, FIX "liquid.data", 0) != 0)
		return;
	if (integrator_init(&ia, o, &a.m, &e) != 0) {
		CHECK(0, "pack %s: init: %s", name, e.msg);
		sim_free(&a);
		return;
	}
	run_steps(&ia, &a, N, NULL, NULL);
	if (nbr_build(a.nl, &a.st, &e) != 0 || sim_clone(&b, &a) != 0) {
		CHECK(0, "pack %s: checkpoint: %s", name, e.msg);
		sim_free(&a);
		return;
	}
	size_t np = integrator_pack(&ia, buf);
	CHECK(np > 0 && np <= INTEGRATOR_PACK_MAX, "pack %s: %zu numbers <= %d",
	      name, np, INTEGRATOR_PACK_MAX);
	run_steps(&ia, &a, M, NULL, NULL);

	/* the resumed run: a fresh integrator, set up afresh, then the state */
	if (integrator_init(&ib, o, &b.m, &e) != 0 ||
	    integrator_unpack(&ib, buf, np, &e) != 0) {
		CHECK(0, "pack %s: unpack: %s", name, e.msg);
	} else {
		CHECK(integrator_pack(&ib, buf2) == np &&
		      !memcmp(buf, buf2, np * sizeof *buf),
		      "pack %s: pack(unpack(buf)) == buf", name);
		run_steps(&ib, &b, M, NULL, NULL);
		double ca = integrator_conserved(&ia, &a.m);
		double cb = integrator_conserved(&ib, &b.m);
		CHECK(same_state(&a.st, &b.st) &&
		      (memcmp(&ca, &cb, sizeof ca) == 0),
		      "pack %s: resumed run bitwise identical after %ld + %ld "
		      "steps", name, N, M);
	}
	sim_clone_free(&b);
	sim_free(&a);
}

static void test_pack(void)
{
	struct integrator_opts nve = {.ens = ENS_NVE, .dt = 0.005};
	struct integrator_opts nvt = {.ens = ENS_NVT, .dt = 0.005, .temp = 1.0,
				      .temp_stop = 1.4, .tdamp = 0.1,
				      .tchain = 4, .nsteps_total = 100};
	struct integrator_opts iso = {.ens = ENS_NPT, .dt = 0.005, .temp = 1.1,
				      .tdamp = 0.1, .press = 0.5, .pdamp = 0.5,
				      .pcouple = PCOUPLE_ISO};
	struct integrator_opts z = iso;
	z.pcouple = PCOUPLE_Z;
	struct integrator_opts lan = {.ens = ENS_LANGEVIN, .dt = 0.005,
				      .temp = 1.0, .temp_stop = 2.0,
				      .langevin_damp = 0.5, .seed = 99,
				      .nsteps_total = 100};
	pack_case("nve", &nve);
	pack_case("nvt", &nvt);
	pack_case("npt iso", &iso);
	pack_case("npt z", &z);
	pack_case("langevin", &lan);

	/* corrupted buffers are refused and leave the integrator alone */
	struct sim s;
	struct integrator it, keep;
	struct err e = {{0}};
	double buf[INTEGRATOR_PACK_MAX];
	if (sim_load(&s, FIX "liquid.data", 0) != 0)
		return;
	iso.tchain = NH_MAXCHAIN;
	iso.pchain = NH_MAXCHAIN;
	if (integrator_init(&it, &iso, &s.m, &e) != 0) {
		CHECK(0, "pack: init with %d chains: %s", NH_MAXCHAIN, e.msg);
		sim_free(&s);
		return;
	}
	size_t np = integrator_pack(&it, buf);
	CHECK(np <= INTEGRATOR_PACK_MAX, "pack: %zu numbers with %d-member "
	      "chains fit in %d", np, NH_MAXCHAIN, INTEGRATOR_PACK_MAX);
	keep = it;
	buf[0] = 99.0;
	CHECK(integrator_unpack(&it, buf, np, &e) != 0 && strstr(e.msg, "layout"),
	      "unpack: wrong layout refused (%s)", e.msg);
	buf[0] = 1.0;
	CHECK(integrator_unpack(&it, buf, np - 1, &e) != 0,
	      "unpack: short buffer refused (%s)", e.msg);
	buf[1] = ENS_NVT;
	CHECK(integrator_unpack(&it, buf, np, &e) != 0 &&
	      strstr(e.msg, "ensemble"), "unpack: other ensemble refused (%s)",
	      e.msg);
	CHECK(!memcmp(&keep, &it, sizeof it), "unpack: a refused buffer leaves "
	      "the integrator unchanged");
	sim_free(&s);
}

/* ---- 5. options ------------------------------------------------------------ */

static void test_options(void)
{
	struct sim s;
	struct integrator it;
	struct err e;
	if (sim_load(&s, FIX "liquid.data", 0) != 0)
		return;
	struct integrator_opts bad[] = {
		{.ens = ENS_NVE, .dt = 0.0},
		{.ens = ENS_NVE, .dt = NAN},
		{.ens = ENS_NVT, .dt = 0.005, .temp = 1.0, .tdamp = 0.0},
		{.ens = ENS_NVT, .dt = 0.005, .temp = -1.0, .tdamp = 0.1},
		{.ens = ENS_NVT, .dt = 0.005, .temp = 1.0, .tdamp = 0.1,
		 .tchain = NH_MAXCHAIN + 1},
		{.ens = ENS_NPT, .dt = 0.005, .temp = 1.0, .tdamp = 0.1,
		 .press = 1.0, .pdamp = -1.0},
		{.ens = ENS_NPT, .dt = 0.005, .temp = 1.0, .tdamp = 0.1,
		 .press = 1.0, .pdamp = 1.0, .pcouple = (enum pcouple)7},
		{.ens = ENS_LANGEVIN, .dt = 0.005, .temp = 1.0},
		{.ens = ENS_MIN, .dt = 0.005},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		e.msg[0] = 0;
		CHECK(integrator_init(&it, &bad[k], &s.m, &e) != 0 && e.msg[0],
		      "options: bad set %zu refused (%s)", k, e.msg);
	}
	/* defaults: chains of 3, no ramp */
	struct integrator_opts o = {.ens = ENS_NPT, .dt = 0.005, .temp = 1.2,
				    .tdamp = 0.1, .press = 1.0, .pdamp = 1.0};
	CHECK(integrator_init(&it, &o, &s.m, &e) == 0 && it.tchain.n == 3 &&
	      it.pchain.n == 3 && it.o.temp_stop == 1.2 && s.m.dt == 0.005,
	      "options: tchain/pchain 0 -> 3, temp_stop 0 -> temp, m->dt set");
	/* LAMMPS masses: Q1 = dof kT/w^2, W = (N+1) kT/w_P^2 */
	CHECK_CLOSE(it.tchain.eta_mass[0], s.sys.dof * 1.2 / (10.0 * 10.0),
		    1e-15, 0.0, "options: Q1 = dof kT Tdamp^2");
	CHECK_CLOSE(it.omega_mass[0], (s.sys.natoms + 1.0) * 1.2, 1e-15, 0.0,
		    "options: W = (N+1) kT Pdamp^2");
	sim_free(&s);
}

int main(void)
{
#ifdef _OPENMP
	/* 500 atoms are too few to share between threads: on a loaded
	 * two-core machine the per-step barriers cost more than the work.
	 * (Thread-count independence is test_nbr's business.) */
	omp_set_num_threads(1);
#endif
	test_lammps();
	test_options();
	test_pack();
	test_kick();
	test_step_nve();
	test_step_nvt();
	test_threads_nh();
	test_step_nan();
	test_minimize();
	test_nve();
	test_nvt();
	test_npt();
	test_langevin();
	return check_done();
}
