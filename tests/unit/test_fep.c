/* test_fep: lambda schedules and the reduced potentials of fep_eval_frame
 * (common/fep.c), against the engine's own full evaluation of the system
 * at each lambda (pair_lj_compute + softcore_compute, as md_forces does).
 *
 * u_k - u_i must equal beta (U_k - U_i) of the whole system, and with
 * absolute, u_k = beta U_k + beta p V. The two paths sum the same terms in
 * other orders: 1e-12 relative to |beta U| (~3e3 kT here) covers the
 * round-off (~1e-16 per term, 1e4 terms) with room. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fep.h"
#include "lmp_data.h"
#include "nbr.h"
#include "softcore.h"
#include "system.h"

static void schedule_tests(void)
{
	struct fep_schedule s;
	struct err e;
	int rc = fep_schedule_parse("1,0.75,0.5,0.25,0", &s, &e);
	CHECK(rc == 0 && s.K == 5 && s.ncomp == 1 && s.lambda[1] == 0.75 &&
	      s.lambda[4] == 0.0, "parse '1,0.75,0.5,0.25,0': 5 LJ states");
	if (!rc)
		fep_schedule_free(&s);
	rc = fep_schedule_parse("1,1 1,0.5 1,0", &s, &e);
	CHECK(rc == 0 && s.K == 3 && s.ncomp == 2 && s.lambda[3] == 0.5,
	      "parse '1,1 1,0.5 1,0': 3 (coul,lj) states");
	if (!rc) {
		struct sc_lambda l = fep_schedule_state(&s, 2);
		CHECK(l.coul == 1.0 && l.lj == 0.0, "state 2 is coul 1, lj 0");
		fep_schedule_free(&s);
	}
	rc = fep_schedule_parse("0;0.5;1", &s, &e);
	CHECK(rc == 0 && s.K == 3 && s.lambda[2] == 1.0, "parse '0;0.5;1'");
	if (!rc)
		fep_schedule_free(&s);
	rc = fep_schedule_parse("1,1 0.5,1 0,1 0,0", &s, &e);
	CHECK(rc == 0 && s.K == 4 && s.ncomp == 2 && s.lambda[2] == 0.5 &&
	      s.lambda[7] == 0.0, "parse '1,1 0.5,1 0,1 0,0': Coulomb then LJ");
	if (!rc)
		fep_schedule_free(&s);
	const char *bad[] = {"1", "1,x,0", "1,1.5", "-0.5,1 1,1", "1,1 0.5",
			     "", "1,,0"};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		rc = fep_schedule_parse(bad[k], &s, &e);
		CHECK(rc != 0, "schedule '%s' refused: %s", bad[k], e.msg);
	}
	rc = fep_schedule_windows(21, &s, &e);
	CHECK(rc == 0 && s.K == 21 && s.lambda[0] == 1.0 && s.lambda[20] == 0.0 &&
	      fabs(s.lambda[1] - 0.95) < 1e-15 && fabs(s.lambda[10] - 0.5) < 1e-15,
	      "--windows 21: 1, 0.95, ..., 0");
	if (!rc)
		fep_schedule_free(&s);
	CHECK(fep_schedule_windows(1, &s, &e) != 0, "--windows 1 refused: %s", e.msg);
}

struct sys {
	struct system sys;
	struct state st;
	struct softcore sc;
	struct nbr_list *nl;
};

static int load(struct sys *s, int shift, int tail)
{
	struct err e;
	struct lmp_data d = {0};
	memset(s, 0, sizeof *s);
	struct system_opts o = {.units = UNITS_LJ, .cutoff = 2.5,
				.mix = MIX_GEOMETRIC, .shift = shift, .tail = tail};
	struct sc_params p;
	sc_params_default(&p, SC_FORM_LAMMPS);
	size_t *idx, n;
	int rc = lmp_data_read(&d, "../fixtures/lammps_forces/mix.data", &e) ||
		 system_from_data(&s->sys, &s->st, &d, &o, "mix.data", &e) ||
		 softcore_select(&s->sys, "36,366,489", &idx, &n, &e) ||
		 softcore_init(&s->sc, &s->sys, idx, n, &p,
			       (struct sc_lambda){1.0, 1.0}, &e) ||
		 nbr_create(&s->nl, s->st.n, 2.5, 0.0, &e);
	lmp_data_free(&d);
	if (rc) {
		CHECK(0, "load: %s", e.msg);
		return -1;
	}
	free(idx);
	return 0;
}

/* The whole potential energy at lambda l, as md_forces computes it. */
static double total_energy(struct sys *s, double l)
{
	struct err e;
	struct energy en = {0};
	softcore_set_lambda(&s->sc, (struct sc_lambda){1.0, l}, &e);
	nbr_build(s->nl, &s->st, &e);
	pair_lj_compute(&s->sys.lj, s->sys.type, &s->st, s->nl, &en);
	softcore_compute(&s->sc, &s->st, &en);
	return energy_pe(&en);
}

static void eval_tests(int shift, int tail)
{
	struct sys s;
	if (load(&s, shift, tail))
		return;
	struct fep_schedule sch;
	struct err e;
	fep_schedule_windows(5, &sch, &e);
	const double temp = 0.9, press = 0.8, beta = 1.0 / temp;
	const size_t state = 3; /* lambda 0.25 */
	struct fep_eval ev, eva;
	if (fep_eval_init(&ev, &s.sys, &s.sc, &sch, state, temp, NAN, 0, 0.0, &e) ||
	    fep_eval_init(&eva, &s.sys, &s.sc, &sch, state, temp, press, 1, 0.0, &e)) {
		CHECK(0, "fep_eval_init: %s", e.msg);
		return;
	}
	double u[5], ua[5], dudl, dudla, ref[5];
	int rc = fep_eval_frame(&ev, &s.st, u, &dudl, &e) ||
		 fep_eval_frame(&eva, &s.st, ua, &dudla, &e);
	CHECK(rc == 0, "fep_eval_frame (shift %d tail %d)%s%s", shift, tail,
	      rc ? ": " : "", rc ? e.msg : "");
	double vol = s.st.len[0] * s.st.len[1] * s.st.len[2];
	for (size_t k = 0; k < 5; k++)
		ref[k] = beta * total_energy(&s, sch.lambda[k]);
	double dd = 0, da = 0, scale = fabs(ref[0]);
	for (size_t k = 0; k < 5; k++) {
		dd = fmax(dd, fabs((u[k] - u[state]) - (ref[k] - ref[state])));
		da = fmax(da, fabs(ua[k] - (ref[k] + beta * press * vol)));
	}
	CHECK(dd <= 1e-12 * scale, "shift %d tail %d: u_k - u_i = beta (U_k - U_i) "
	      "of the whole system (max diff %.1e kT, |beta U| %.3g)", shift, tail,
	      dd, scale);
	CHECK(da <= 1e-12 * scale, "shift %d tail %d: absolute u_k = beta U_k + "
	      "beta p V (max diff %.1e kT)", shift, tail, da);
	total_energy(&s, sch.lambda[state]);
	CHECK_CLOSE(dudl, beta * s.sc.dudl_lj, 1e-13, 0.0,
		    "dudl column = beta dU/dlambda at the sampled state");
	CHECK(dudla == dudl, "dudl is the same with absolute and pV");
	fep_eval_free(&ev);
	fep_eval_free(&eva);
	/* a state index past the schedule */
	CHECK(fep_eval_init(&ev, &s.sys, &s.sc, &sch, 5, temp, NAN, 0, 0.0, &e) != 0,
	      "state 5 of 5 refused: %s", e.msg);
	fep_schedule_free(&sch);
	nbr_free(s.nl);
	softcore_free(&s.sc);
	system_free(&s.sys);
	state_free(&s.st);
}

int main(void)
{
	schedule_tests();
	eval_tests(0, 0);
	eval_tests(1, 0);
	eval_tests(0, 1);
	return check_done();
}
