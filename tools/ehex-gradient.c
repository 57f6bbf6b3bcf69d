/* ehex-gradient: NVE molecular dynamics with eHEX (or HEX) heat exchange
 * between a cold and a hot slab, to set up a steady temperature gradient.
 * A front end of the same engine as md-run. See man/man1/ehex-gradient.1. */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ehex.h"
#include "engine_cli.h"
#include "integrate.h"
#include "run.h"
#include "table.h"

static const char *tool = "ehex-gradient";
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: ehex-gradient --data FILE --cold Z0:Z1 --hot Z0:Z1 --flux F [options]\n"
"NVE molecular dynamics with eHEX heat exchange (Wirnsberger et al. 2015).\n"
"  --cold Z0:Z1          slab from which heat is removed (box z coordinates)\n"
"  --hot Z0:Z1           slab into which heat is added\n"
"  --flux F              heat per time unit (energy/time, e.g. eps/tau or\n"
"                        kcal/mol/fs) added to hot and removed from cold\n"
"  --hex                 plain HEX (no eHEX position correction), to compare\n"
"  --min-atoms N         smallest slab population accepted (default 10)\n");
	engine_cli_usage(fp);
}

enum { O_COLD = 256, O_HOT, O_FLUX, O_HEX, O_MINATOMS, O_VERSION };
static const struct option tool_opts[] = {
	{"cold", 1, 0, O_COLD}, {"hot", 1, 0, O_HOT}, {"flux", 1, 0, O_FLUX},
	{"hex", 0, 0, O_HEX}, {"min-atoms", 1, 0, O_MINATOMS},
	{"help", 0, 0, 'h'}, {"version", 0, 0, O_VERSION}, {0, 0, 0, 0}};

static const char *const thermo_cols_lj[] = {
	"t_cold[eps/kB]", "t_hot[eps/kB]", "heat_in[eps]", "heat_out[eps]", "edrift[eps]"};
static const char *const thermo_cols_real[] = {
	"t_cold[K]", "t_hot[K]", "heat_in[kcal/mol]", "heat_out[kcal/mol]", "edrift[kcal/mol]"};

static int hook_step(void *ctx, struct md *m, struct err *e)
{
	struct ehex *h = ctx;
	if (!h->have_e0) {
		/* Reference energy: the state before the first exchange. */
		h->etotal0 = energy_pe(&m->en) + md_ke(m->sys, m->st);
		h->have_e0 = 1;
	}
	return ehex_apply(h, m, e);
}

/* hook_step reads the energies once, for the reference before the
 * first exchange; ehex_apply needs forces and velocities only. */
static int hook_wants_energy(void *ctx)
{
	const struct ehex *h = ctx;
	return !h->have_e0;
}

static void hook_thermo(void *ctx, const struct md *m, double *v)
{
	struct ehex *h = ctx;
	v[0] = ehex_slab_temp(h, m, 0);
	v[1] = ehex_slab_temp(h, m, 1);
	v[2] = h->heat_in;
	v[3] = h->heat_out;
	double et = energy_pe(&m->en) + md_ke(m->sys, m->st);
	v[4] = h->have_e0 ? et - h->etotal0 : 0.0;
}

static size_t hook_pack(const void *ctx, double *buf, size_t max)
{
	return ehex_pack(ctx, buf, max);
}

static int hook_unpack(void *ctx, const double *buf, size_t n, struct err *e)
{
	return ehex_unpack(ctx, buf, n, e);
}

static void hook_describe(void *ctx, struct table_writer *w)
{
	struct ehex *h = ctx;
	table_writer_meta(w, "exchange", "%s", h->correct ? "eHEX" : "HEX");
	table_writer_meta(w, "cold_slab", "%.10g %.10g", h->slab[0].z0, h->slab[0].z1);
	table_writer_meta(w, "hot_slab", "%.10g %.10g", h->slab[1].z0, h->slab[1].z1);
	table_writer_meta(w, "flux", "%.10g", h->slab[1].flux);
}

/* What the tool's own options set. */
struct tool_ctx {
	double cz0, cz1, hz0, hz1, flux;
	int have_cold, have_hot, have_flux, hex;
	long min_atoms;
};

/* A slab is one z range of the box, Z0 < Z1: one that wraps through the
 * periodic boundary (45:5 in a 50 box) is refused as such, not called empty. */
static int slab_range(const char *opt, const char *s, double *z0, double *z1,
		      struct err *e)
{
	double a = NAN, b = NAN;
	if (cli_range(opt, s, &a, &b, e) != 0) {
		if (a > b)
			err_set(e, "%s: '%s': Z0 > Z1; a slab cannot wrap through the "
				"periodic boundary (shift the system so that it does not)",
				opt, s);
		return -1;
	}
	*z0 = a;
	*z1 = b;
	return 0;
}

static int tool_option(void *ctx, int c, const char *a, struct err *e)
{
	struct tool_ctx *t = ctx;
	switch (c) {
	case O_COLD: t->have_cold = 1; return slab_range("--cold", a, &t->cz0, &t->cz1, e);
	case O_HOT: t->have_hot = 1; return slab_range("--hot", a, &t->hz0, &t->hz1, e);
	case O_FLUX: t->have_flux = 1; return cli_positive("--flux", a, &t->flux, e);
	case O_HEX: t->hex = 1; return 0;
	case O_MINATOMS:
		if (cli_long("--min-atoms", a, 2, &t->min_atoms, e) != 0)
			return -1;
		/* stored as int: a larger value would wrap, not refuse */
		if (t->min_atoms > INT_MAX)
			return err_set(e, "--min-atoms: %ld is more than %d",
				       t->min_atoms, INT_MAX);
		return 0;
	}
	return err_set(e, "internal: unhandled option");
}

int main(int argc, char **argv)
{
	struct err e = {{0}};
	struct engine_cli ec;
	engine_cli_defaults(&ec);
	struct tool_ctx tc = {.min_atoms = 10};
	struct ehex h = {0};
	struct option opts[64];
	if (engine_cli_merge_opts(opts, 64, tool_opts) != 0)
		return ERR_USAGE;
	int r = engine_cli_getopt(&ec, argc, argv, opts, tool, usage, O_VERSION,
				  O_COLD, O_VERSION, tool_option, &tc, NULL);
	if (r != 0)
		return r == 1 ? 0 : r;
	const double cz0 = tc.cz0, cz1 = tc.cz1, hz0 = tc.hz0, hz1 = tc.hz1;
	const int hex = tc.hex;
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", tool, argv[optind]);
		return ERR_USAGE;
	}
	if (!tc.have_cold || !tc.have_hot || !tc.have_flux) {
		fprintf(stderr, "%s: --cold, --hot and --flux are required\n", tool);
		return ERR_USAGE;
	}
	if (!(cz1 <= hz0 || hz1 <= cz0)) {
		fprintf(stderr, "%s: --cold and --hot slabs overlap\n", tool);
		return ERR_USAGE;
	}
	int code = engine_cli_setup(&ec, &e);
	if (code != 0)
		goto fail;
	code = ERR_DATA;
	double zlo = ec.st.lo[2], zhi = ec.st.lo[2] + ec.st.len[2];
	if (cz0 < zlo || cz1 > zhi || hz0 < zlo || hz1 > zhi) {
		err_set(&e, "--cold/--hot: slabs must lie inside the box z range [%g, %g]", zlo, zhi);
		code = ERR_USAGE;
		goto fail;
	}
	ehex_init(&h, cz0, cz1, hz0, hz1, tc.flux, !hex);
	h.min_atoms = (int)tc.min_atoms;
	struct run_hook hook = {
		.ctx = &h, .end_of_step = hook_step,
		.wants_energy = hook_wants_energy, .nthermo = 5,
		.thermo_cols = ec.sys.units.style == UNITS_LJ ? thermo_cols_lj : thermo_cols_real,
		.thermo = hook_thermo, .pack = hook_pack, .unpack = hook_unpack,
		.describe = hook_describe};
	cli_catch_stop(on_signal);
	struct integrator_opts io = {.ens = ENS_NVE, .dt = ec.dt, .tchain = 3, .pchain = 3};
	struct integrator it;
	struct md *m = &ec.md;
	if (engine_cli_allow_reorder(&ec, 0, &e) != 0 ||
	    integrator_init(&it, &io, m, &e) != 0)
		goto fail;
	struct run_opts ro = engine_cli_run_opts(&ec, tool, argc, argv, &stop_requested);
	int rc = run_md(m, &it, &ro, &hook, &e);
	if (rc < 0)
		goto fail;
	if (rc == 1) {
		fprintf(stderr, "%s: stopped by signal at step %ld; checkpoint in %s; "
			"run the same command again to resume\n", tool, ec.st.step,
			ec.restart ? ec.restart : "(none)");
		goto done;
	}
	if (!ec.quiet) {
		double et = energy_pe(&m->en) + md_ke(m->sys, m->st);
		double drift = h.have_e0 ? et - h.etotal0 : 0.0;
		double ttot = ec.steps * ec.dt;
		fprintf(stderr, "%s: %s: heat in %.6g, out %.6g %s; energy drift %.4g %s "
			"(%.3g per atom per time unit)\n", tool, hex ? "HEX" : "eHEX",
			h.heat_in, h.heat_out, ec.sys.units.u_energy, drift,
			ec.sys.units.u_energy, ttot > 0 ? drift / ec.sys.natoms / ttot : 0.0);
	}
	code = 0;
	goto done;
fail:
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	ehex_free(&h);
	engine_cli_free(&ec);
	return code;
}
