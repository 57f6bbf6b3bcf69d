/* md-run: molecular dynamics of a LAMMPS data file (minimise, NVE, NVT,
 * NPT, Langevin), writing a thermo table and an AMBER NetCDF trajectory,
 * with checkpoints and exact resume. See man/man1/md-run.1. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "engine_cli.h"
#include "integrate.h"
#include "run.h"
#include "table.h"

static const char *tool = "md-run";
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: md-run --data FILE [options]\n"
"Molecular dynamics of a LAMMPS data file (lj/cut; with charges and\n"
"bonded terms lj/cut/coul/long + pppm/ewald, as LAMMPS).\n"
"  --ensemble E          min|nve|nvt|npt|langevin (default nve)\n"
"  --press P             target pressure (npt)\n"
"  --pcouple iso|z       npt coupling: isotropic or z only (default iso)\n"
"  --tdamp X --pdamp X   thermostat / barostat damping times (default 100 dt,\n"
"                        1000 dt); --tdamp is the Langevin damping time too\n"
"  --tchain N            Nose-Hoover chain length (default 3)\n"
"  --min-style fire|cg   minimiser (default cg)\n"
"  --etol X --ftol X     minimiser tolerances (default 1e-8, 1e-8)\n"
"  --maxiter N           minimiser iterations (default 10000)\n");
	engine_cli_usage(fp);
}

/* With --decouple: dU/dlambda as a thermo column (molecular systems: two,
 * dudl_coul and dudl_lj, decouple.h), the soft-core set-up in the
 * provenance. Stateless given lambda, so nothing to checkpoint. */
struct sc_hook {
	const struct engine_cli *ec;
	char col[2][64];
	const char *cols[2];
};

static void sc_thermo(void *ctx, const struct md *m, double *v)
{
	const struct sc_hook *h = ctx;
	if (h->ec->has_dc) {
		v[0] = h->ec->dc.dudl_coul;
		v[1] = m->sc->dudl_lj;
	} else {
		v[0] = m->sc->dudl_lj;
	}
}

static void sc_describe(void *ctx, struct table_writer *w)
{
	const struct sc_hook *h = ctx;
	const struct softcore *sc = &h->ec->sc;
	table_writer_meta(w, "decouple", "%s (%zu atoms)", h->ec->decouple, sc->ndec);
	if (h->ec->has_dc)
		table_writer_meta(w, "lambda", "%.17g,%.17g", sc->lam.coul,
				  sc->lam.lj);
	else
		table_writer_meta(w, "lambda", "%.17g", sc->lam.lj);
	table_writer_meta(w, "softcore", "%s n %.17g alpha %.17g p %.17g",
			  sc->par.form == SC_FORM_GROMACS ? "gromacs" : "lammps",
			  sc->par.n, sc->par.alpha, sc->par.p);
}

enum { O_ENS = 256, O_PRESS, O_PCOUPLE, O_TDAMP, O_PDAMP, O_TCHAIN,
       O_MINSTYLE, O_ETOL, O_FTOL, O_MAXITER, O_VERSION };

static const struct option tool_opts[] = {
	{"ensemble", 1, 0, O_ENS}, {"press", 1, 0, O_PRESS},
	{"pcouple", 1, 0, O_PCOUPLE}, {"tdamp", 1, 0, O_TDAMP},
	{"pdamp", 1, 0, O_PDAMP}, {"tchain", 1, 0, O_TCHAIN},
	{"min-style", 1, 0, O_MINSTYLE}, {"etol", 1, 0, O_ETOL},
	{"ftol", 1, 0, O_FTOL}, {"maxiter", 1, 0, O_MAXITER},
	{"help", 0, 0, 'h'}, {"version", 0, 0, O_VERSION}, {0, 0, 0, 0}};

/* What the tool's own options set. */
struct tool_ctx {
	struct integrator_opts *io;
	struct min_opts *mo;
	int have_press;
	/* Options given that belong to one ensemble (an O_* code each): a
	 * run of another ensemble warns that it does not use them. */
	int given[O_VERSION - O_ENS + 1];
};

static int tool_option(void *ctx, int c, const char *a, struct err *e)
{
	struct tool_ctx *t = ctx;
	struct integrator_opts *io = t->io;
	struct min_opts *mo = t->mo;
	long l;
	if (c >= O_ENS && c <= O_VERSION)
		t->given[c - O_ENS] = 1;
	switch (c) {
	case O_ENS:
		if (!strcmp(a, "min")) io->ens = ENS_MIN;
		else if (!strcmp(a, "nve")) io->ens = ENS_NVE;
		else if (!strcmp(a, "nvt")) io->ens = ENS_NVT;
		else if (!strcmp(a, "npt")) io->ens = ENS_NPT;
		else if (!strcmp(a, "langevin")) io->ens = ENS_LANGEVIN;
		else return err_set(e, "--ensemble: '%s' is not min, nve, nvt, npt or langevin", a);
		return 0;
	case O_PRESS: t->have_press = 1; return cli_double("--press", a, &io->press, e);
	case O_PCOUPLE:
		if (!strcmp(a, "iso")) io->pcouple = PCOUPLE_ISO;
		else if (!strcmp(a, "z")) io->pcouple = PCOUPLE_Z;
		else return err_set(e, "--pcouple: '%s' is not iso or z", a);
		return 0;
	case O_TDAMP: return cli_positive("--tdamp", a, &io->tdamp, e);
	case O_PDAMP: return cli_positive("--pdamp", a, &io->pdamp, e);
	case O_TCHAIN:
		if (cli_long("--tchain", a, 1, &l, e) != 0)
			return -1;
		if (l > NH_MAXCHAIN)
			return err_set(e, "--tchain: at most %d", NH_MAXCHAIN);
		io->tchain = io->pchain = (int)l;
		return 0;
	case O_MINSTYLE:
		if (!strcmp(a, "fire")) mo->style = MIN_FIRE;
		else if (!strcmp(a, "cg")) mo->style = MIN_CG;
		else return err_set(e, "--min-style: '%s' is not fire or cg", a);
		return 0;
	case O_ETOL: return cli_double("--etol", a, &mo->etol, e);
	case O_FTOL: return cli_double("--ftol", a, &mo->ftol, e);
	case O_MAXITER: return cli_long("--maxiter", a, 1, &mo->maxiter, e);
	}
	return err_set(e, "internal: unhandled option");
}

/* An option of another ensemble is most often a mistyped --ensemble
 * (nvt for npt): say that it is not used rather than run silently. */
static void warn_unused(const struct tool_ctx *t, enum ensemble ens)
{
	static const struct { int code; const char *name; } ens_opts[] = {
		{O_PRESS, "press"}, {O_PCOUPLE, "pcouple"}, {O_PDAMP, "pdamp"},
		{O_TDAMP, "tdamp"}, {O_TCHAIN, "tchain"},
		{O_MINSTYLE, "min-style"}, {O_ETOL, "etol"}, {O_FTOL, "ftol"},
		{O_MAXITER, "maxiter"}};
	static const char *const ens_name[] = {
		[ENS_MIN] = "min", [ENS_NVE] = "nve", [ENS_NVT] = "nvt",
		[ENS_NPT] = "npt", [ENS_LANGEVIN] = "langevin"};
	for (size_t k = 0; k < sizeof ens_opts / sizeof *ens_opts; k++) {
		int c = ens_opts[k].code, used;
		if (!t->given[c - O_ENS])
			continue;
		if (c == O_PRESS || c == O_PCOUPLE || c == O_PDAMP)
			used = ens == ENS_NPT;
		else if (c == O_TDAMP)
			used = ens == ENS_NVT || ens == ENS_NPT || ens == ENS_LANGEVIN;
		else if (c == O_TCHAIN)
			used = ens == ENS_NVT || ens == ENS_NPT;
		else
			used = ens == ENS_MIN;
		if (!used)
			fprintf(stderr, "%s: warning: --%s is not used by "
				"--ensemble %s\n", tool, ens_opts[k].name,
				ens_name[ens]);
	}
}

/* --ensemble min under the caller's output lock: minimise, then write the
 * minimised state (one thermo row, one frame, and the restart). 0 when
 * written, 1 when a signal stopped the minimiser (nothing written: there
 * is nothing to resume from), -1 on error (e set). */
static int minimise_and_write(struct md *m, struct min_opts *mo,
			      struct integrator_opts *io, struct run_opts *ro,
			      const struct run_hook *hk, const char *restart,
			      int quiet, struct err *e)
{
	struct min_result mr;
	mo->stop = &stop_requested;
	if (md_forces(m, e) != 0 || minimize_run(m, mo, &mr, e) != 0)
		return -1;
	if (stop_requested) {
		fprintf(stderr, "%s: stopped by signal after %ld minimiser "
			"iterations; nothing written\n", tool, mr.iters);
		return 1;
	}
	if (!quiet)
		fprintf(stderr, "%s: minimised: %ld iterations, %ld force "
			"evaluations, energy %.10g -> %.10g, |f| %.3g; "
			"stopped on %s\n", tool, mr.iters, mr.evals,
			mr.e_start, mr.e_final, mr.fnorm2, mr.stop_reason);
	struct integrator it;
	io->ens = ENS_NVE;
	ro->nsteps = 0;
	ro->rst_path = NULL;
	if (integrator_init(&it, io, m, e) != 0 ||
	    run_md_locked(m, &it, ro, hk, e) != 0)
		return -1;
	if (restart && run_write_state(m, NULL, restart, e) != 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct err e = {{0}};
	struct engine_cli ec;
	engine_cli_defaults(&ec);
	struct integrator_opts io = {.ens = ENS_NVE, .tchain = 3, .pchain = 3,
				     .pcouple = PCOUPLE_ISO};
	struct min_opts mo = {.style = MIN_CG, .etol = 1e-8, .ftol = 1e-8,
			      .maxiter = 10000, .maxeval = 100000};
	struct tool_ctx tc = {.io = &io, .mo = &mo};
	struct option opts[64];
	if (engine_cli_merge_opts(opts, 64, tool_opts) != 0)
		return ERR_USAGE;
	int r = engine_cli_getopt(&ec, argc, argv, opts, tool, usage, O_VERSION,
				  O_ENS, O_VERSION, tool_option, &tc, NULL);
	if (r != 0)
		return r == 1 ? 0 : r;
	int have_press = tc.have_press;
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", tool, argv[optind]);
		return ERR_USAGE;
	}
	int needs_t = io.ens == ENS_NVT || io.ens == ENS_NPT || io.ens == ENS_LANGEVIN;
	if (needs_t && ec.temp <= 0) {
		fprintf(stderr, "%s: --ensemble %s needs --temp\n", tool,
			io.ens == ENS_NVT ? "nvt" : io.ens == ENS_NPT ? "npt" : "langevin");
		return ERR_USAGE;
	}
	if (io.ens == ENS_NPT && !have_press) {
		fprintf(stderr, "%s: --ensemble npt needs --press\n", tool);
		return ERR_USAGE;
	}
	if (io.ens == ENS_MIN && ec.co.mode != CONSTRAIN_NONE) {
		/* LAMMPS: "Fix shake cannot be used with minimization" */
		fprintf(stderr, "%s: --ensemble min cannot be used with "
			"--constrain (minimise the flexible model first)\n", tool);
		return ERR_USAGE;
	}
	warn_unused(&tc, io.ens);
	if (io.ens == ENS_MIN)
		ec.temp = -1; /* a minimisation creates no velocities */
	int code = engine_cli_setup(&ec, &e);
	if (code != 0)
		goto fail;
	code = ERR_DATA;
	struct md *m = &ec.md;
	if (io.ens != ENS_MIN &&
	    engine_cli_allow_reorder(&ec, io.ens == ENS_LANGEVIN, &e) != 0)
		goto fail;
	cli_catch_stop(on_signal);

	io.dt = ec.dt;
	io.temp = io.temp_stop = ec.temp;
	if (io.tdamp <= 0)
		io.tdamp = 100.0 * ec.dt;
	if (io.pdamp <= 0)
		io.pdamp = 1000.0 * ec.dt;
	io.langevin_damp = io.tdamp;
	io.seed = (unsigned long)ec.seed;
	io.nsteps_total = ec.steps;
	struct run_opts ro = engine_cli_run_opts(&ec, tool, argc, argv, &stop_requested);
	struct sc_hook sh = {.ec = &ec};
	if (ec.has_dc) {
		snprintf(sh.col[0], sizeof sh.col[0], "dudl_coul[%s]",
			 ec.sys.units.u_energy);
		snprintf(sh.col[1], sizeof sh.col[1], "dudl_lj[%s]",
			 ec.sys.units.u_energy);
	} else {
		snprintf(sh.col[0], sizeof sh.col[0], "dudl[%s]",
			 ec.sys.units.u_energy);
	}
	sh.cols[0] = sh.col[0];
	sh.cols[1] = sh.col[1];
	struct run_hook hook = {.ctx = &sh, .nthermo = ec.has_dc ? 2 : 1,
				.thermo_cols = sh.cols,
				.thermo = sc_thermo, .describe = sc_describe};
	const struct run_hook *hk = ec.decouple ? &hook : NULL;
	struct integrator it;
	if (io.ens == ENS_MIN) {
		/* The outputs' lock before the minimiser's work: a second run
		 * on the same outputs stops at once, not after minimising, and
		 * the restart is written under it too. */
		struct run_lock lk;
		if (run_lock_take(&lk, &ro, &e) != 0)
			goto fail;
		int rc = minimise_and_write(m, &mo, &io, &ro, hk, ec.restart,
					    ec.quiet, &e);
		run_lock_drop(&lk);
		if (rc < 0)
			goto fail;
		code = rc == 0 ? 0 : ERR_DATA;
		goto done;
	}
	if (integrator_init(&it, &io, m, &e) != 0)
		goto fail;
	int rc = run_md(m, &it, &ro, hk, &e);
	if (rc < 0)
		goto fail;
	if (rc == 1) {
		fprintf(stderr, "%s: stopped by signal at step %ld; checkpoint "
			"in %s; run the same command again to resume\n", tool,
			ec.st.step, ec.restart ? ec.restart : "(none)");
		code = ERR_DATA;
		goto done;
	}
	code = 0;
	goto done;
fail:
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	engine_cli_free(&ec);
	return code;
}
