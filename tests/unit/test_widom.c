/* test_widom: test-particle insertion (common/widom.c).
 *
 * 1. The insertion energy of a particle equals the energy of its pairs as
 *    the soft-core module computes it for the same atom decoupled at
 *    lambda = 1 (another code path: plain, shifted, with tail), 1e-12.
 * 2. One atom in a 10 sigma box: <exp(-beta dU)> over uniform insertions
 *    equals 1 + (1/V) int_0^rc (exp(-beta u) - 1) 4 pi r^2 dr (Simpson,
 *    2e4 intervals: 1e-10), within 4 standard errors of the estimate.
 * 3. The estimator (NPT volume weights, blocks) on numbers worked by hand.
 * 4. mu_tail = (16/9) pi rho [(1/rc)^9 - 3 (1/rc)^3] (eps = sigma = 1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lmp_data.h"
#include "softcore.h"
#include "system.h"
#include "widom.h"

static void insertion_energy(int shift, int tail)
{
	struct err e;
	struct lmp_data d = {0};
	struct system sys;
	struct state st;
	struct softcore sc;
	struct system_opts o = {.units = UNITS_LJ, .cutoff = 2.5,
				.mix = MIX_GEOMETRIC, .shift = shift, .tail = tail};
	struct sc_params p;
	sc_params_default(&p, SC_FORM_LAMMPS);
	size_t *idx, n;
	if (lmp_data_read(&d, "../fixtures/lammps_forces/mix.data", &e) ||
	    system_from_data(&sys, &st, &d, &o, "mix.data", &e) ||
	    softcore_select(&sys, "489", &idx, &n, &e) ||
	    softcore_init(&sc, &sys, idx, n, &p, (struct sc_lambda){1, 1}, &e)) {
		CHECK(0, "load: %s", e.msg);
		lmp_data_free(&d);
		return;
	}
	lmp_data_free(&d);
	free(idx);
	struct widom w;
	if (widom_init(&w, sys.natoms, sc.nt0, sc.type0, sc.is_dec, sc.eps0,
		       sc.sig0, 2.5, shift, tail, &e)) {
		CHECK(0, "widom_init: %s", e.msg);
		return;
	}
	size_t i = sc.dec[0];
	int nc;
	double du = widom_delta_u(&w, &st, sc.type0[i], st.x[i], st.y[i],
				  st.z[i], &nc);
	struct energy en = {0};
	softcore_compute(&sc, &st, &en);
	char what[128];
	snprintf(what, sizeof what, "shift %d tail %d: insertion energy = the "
		 "atom's pair energy at lambda 1 (%d neighbours)", shift, tail, nc);
	CHECK_CLOSE(du, sc.e_dec, 1e-12, 0.0, what);
	CHECK(w.nenv == sys.natoms - 1, "environment: all atoms but the one");
	widom_free(&w);
	softcore_free(&sc);
	system_free(&sys);
	state_free(&st);
}

static double lj(double r)
{
	double s6 = pow(r, -6.0);
	return 4.0 * (s6 * s6 - s6);
}

static void one_atom(void)
{
	const double L = 10.0, rc = 2.5, T = 1.0;
	struct state st = {.n = 1};
	double x = 3.0, y = 4.0, z = 5.0;
	st.x = &x;
	st.y = &y;
	st.z = &z;
	st.len[0] = st.len[1] = st.len[2] = L;
	int type = 0;
	double eps = 1.0, sig = 1.0;
	struct widom w;
	struct err e;
	if (widom_init(&w, 1, 1, &type, NULL, &eps, &sig, rc, 0, 0, &e)) {
		CHECK(0, "widom_init: %s", e.msg);
		return;
	}
	/* Simpson's rule on (exp(-u/T) - 1) 4 pi r^2 over [0, rc] */
	const int m = 20000;
	double h = rc / m, s = 0.0;
	for (int k = 0; k <= m; k++) {
		double r = k * h;
		double f = r == 0.0 ? 0.0 : (exp(-lj(r) / T) - 1.0) * 4.0 * M_PI * r * r;
		s += f * (k == 0 || k == m ? 1.0 : (k % 2 ? 4.0 : 2.0));
	}
	double exact = -log(1.0 + s * h / 3.0 / (L * L * L));
	enum { NF = 40 };
	double vol[NF], wb[NF], wbn[NF], bmu, berr, ncoord;
	struct rng r;
	rng_seed(&r, 2024);
	for (int f = 0; f < NF; f++) {
		vol[f] = L * L * L;
		widom_frame(&w, &st, 0, 25000, 1.0 / T, &r, &wb[f], &wbn[f], &e);
	}
	widom_estimate(NF, vol, wb, wbn, NF, &bmu, &berr, &ncoord, &e);
	CHECK(fabs(bmu - exact) <= 4.0 * berr && berr < 0.2 * fabs(exact),
	      "one atom: beta mu = %.6f +- %.1e, quadrature %.6f", bmu, berr, exact);
	widom_free(&w);
}

static void estimator(void)
{
	struct err e;
	double vol[4] = {1, 1, 1, 1}, wb[4] = {0.5, 0.25, 0.5, 0.25};
	double wbn[4] = {1, 1, 1, 1}, bmu, berr, nc;
	widom_estimate(4, vol, wb, wbn, 2, &bmu, &berr, &nc, &e);
	CHECK_CLOSE(bmu, -log(0.375), 1e-15, 0.0, "constant volume: -ln <w>");
	CHECK(berr == 0.0, "two identical blocks: error 0 (got %g)", berr);
	CHECK_CLOSE(nc, 4.0 / 1.5, 1e-15, 0.0, "N_c = <w n_c>/<w>");
	double v2[2] = {1, 3}, w2[2] = {0.2, 0.6}, n2[2] = {0, 0};
	widom_estimate(2, v2, w2, n2, 1, &bmu, &berr, &nc, &e);
	CHECK_CLOSE(bmu, -log((0.2 + 3 * 0.6) / 4.0), 1e-15, 0.0,
		    "NPT: -ln(<V w>/<V>)");
	CHECK(isnan(berr), "one block: no error bar");
	double w0[2] = {0, 0};
	CHECK(widom_estimate(2, v2, w0, n2, 1, &bmu, &berr, &nc, &e) != 0,
	      "every insertion overlapped: refused (%s)", e.msg);
	double mt = widom_mu_tail(0.7, 1.0, 1.0, 2.5);
	double ref = 16.0 / 9.0 * M_PI * 0.7 * (pow(2.5, -9.0) - 3.0 * pow(2.5, -3.0));
	CHECK_CLOSE(mt, ref, 1e-14, 0.0, "mu_tail at rho 0.7, rc 2.5");
}

int main(void)
{
	insertion_energy(0, 0);
	insertion_energy(1, 0);
	insertion_energy(0, 1);
	one_atom();
	estimator();
	return check_done();
}
