/* widom: excess chemical potential by Widom test-particle insertion on the
 * frames of a trajectory, and (LJ units, one-component solvent) the LJ
 * equation of state's value corrected for the cut-off: the cross-check of
 * the decoupling free energies. See man/man1/widom.1 and common/widom.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine_cli.h"
#include "lj_eos.h"
#include "rng.h"
#include "table.h"
#include "traj_nc.h"
#include "widom.h"

static const char *tool = "widom";

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: widom --data FILE --traj TRAJ.nc --temp T [options] [-o FILE]\n"
"Excess chemical potential by test-particle insertion (NVT or NPT frames).\n"
"  --traj TRAJ.nc        trajectory (e.g. a lambda = 0 window of md-run)\n"
"  --first N --last N    frames N.. (0-based, default 0) ..N (default last)\n"
"  --stride S            every S-th frame (default 1)\n"
"  --insert N            test particles per frame (default 1000)\n"
"  --type T              type of the test particle (default: that of the\n"
"                        first decoupled atom, else 1)\n"
"  --temp T              temperature of the run\n"
"  --blocks B            blocks of frames for the error (default 10)\n"
"  --seed S              random seed (default 12345)\n"
"  --decouple SEL        atoms left out of the environment (the solute of\n"
"                        a lambda = 0 window)\n"
"  --units, --cutoff, --mix, --shift, --tail: as given to md-run\n"
"  -o FILE               results table (default stdout)\n"
"  --progress  -q  -h, --help  --version\n");
}

enum { O_TRAJ = 256, O_FIRST, O_LAST, O_STRIDE, O_INSERT, O_TYPE, O_TEMP,
       O_BLOCKS, O_SEED, O_VERSION };
static const struct option tool_opts[] = {
	{"traj", 1, 0, O_TRAJ}, {"first", 1, 0, O_FIRST}, {"last", 1, 0, O_LAST},
	{"stride", 1, 0, O_STRIDE}, {"insert", 1, 0, O_INSERT},
	{"type", 1, 0, O_TYPE}, {"temp", 1, 0, O_TEMP},
	{"blocks", 1, 0, O_BLOCKS}, {"seed", 1, 0, O_SEED},
	{"help", 0, 0, 'h'}, {"version", 0, 0, O_VERSION}, {0, 0, 0, 0}};
static const char *const engine_names[] = {
	"units", "data", "cutoff", "mix", "shift", "tail", "decouple",
	"progress", NULL};

struct wo {
	const char *traj, *out;
	long first, last, stride, insert, type, blocks, seed;
	double temp;
};

static int tool_option(int c, const char *a, struct wo *o, struct err *e)
{
	switch (c) {
	case O_TRAJ: o->traj = a; return 0;
	case O_FIRST: return cli_long("--first", a, 0, &o->first, e);
	case O_LAST: return cli_long("--last", a, 0, &o->last, e);
	case O_STRIDE: return cli_long("--stride", a, 1, &o->stride, e);
	case O_INSERT: return cli_long("--insert", a, 1, &o->insert, e);
	case O_TYPE: return cli_long("--type", a, 1, &o->type, e);
	case O_TEMP: return cli_positive("--temp", a, &o->temp, e);
	case O_BLOCKS: return cli_long("--blocks", a, 1, &o->blocks, e);
	case O_SEED: return cli_long("--seed", a, 0, &o->seed, e);
	}
	return err_set(e, "internal: unhandled option");
}

static int tool_option_cb(void *ctx, int c, const char *a, struct err *e)
{
	return tool_option(c, a, (struct wo *)ctx, e);
}

/* The rows of the LJ equation of state (Johnson et al. 1993), when the
 * environment is the one-component LJ fluid (eps = sigma = 1, lj units) of
 * the test particle's type. */
static void eos_rows(struct table_writer *tw, const struct widom *w,
		     const struct engine_cli *ec, int t, double rho,
		     double temp, double ncoord, double *vals)
{
	const struct system *sys = &ec->sys;
	size_t nt = w->ntypes;
	/* every pair among the test type and the environment's types is
	 * eps = sigma = 1: the one-component LJ fluid whatever the type ids */
	int one = sys->units.style == UNITS_LJ &&
		  w->eps[(size_t)t * nt + t] == 1.0 && w->sig[(size_t)t * nt + t] == 1.0;
	for (size_t i = 0; i < w->natoms && one; i++) {
		if (w->skip && w->skip[i])
			continue;
		size_t b = (size_t)w->type[i];
		if (w->eps[b * nt + b] != 1.0 || w->sig[b * nt + b] != 1.0 ||
		    w->eps[(size_t)t * nt + b] != 1.0 || w->sig[(size_t)t * nt + b] != 1.0)
			one = 0;
	}
	if (!one) {
		if (!ec->quiet)
			fprintf(stderr, "%s: note: no equation-of-state rows (they need "
				"lj units and eps = sigma = 1 for the solvent and the "
				"test particle)\n", tool);
		return;
	}
	struct lj_eos_point pt;
	lj_eos_jzg(rho, temp, &pt);
	double mut = widom_mu_tail(rho, 1.0, 1.0, w->rc);
	double cut = pt.mu_ex;
	if (!w->tail)
		cut -= mut;
	if (w->shift) {
		double r6 = pow(1.0 / w->rc, 6.0);
		cut -= 4.0 * (r6 * r6 - r6) * ncoord;
	}
	table_writer_meta(tw, "eos", "Johnson, Zollweg, Gubbins, Mol. Phys. 78, "
			  "591 (1993), full potential, at rho and T above");
	table_writer_meta(tw, "mu_tail", "%.10g (rho 16 pi [(1/rc)^9/9 - "
			  "(1/rc)^3/3]; JZG-CUT = JZG%s%s)", mut,
			  w->tail ? "" : " - mu_tail",
			  w->shift ? " - u(rc) N_c" : "");
	vals[0] = pt.mu_ex / temp;
	vals[1] = NAN;
	vals[2] = pt.mu_ex;
	vals[3] = NAN;
	vals[4] = cut / temp;
	vals[5] = NAN;
	vals[6] = cut;
	vals[7] = NAN;
}

int main(int argc, char **argv)
{
	struct err e = {{0}};
	struct engine_cli ec;
	engine_cli_defaults(&ec);
	struct wo o = {.last = -1, .stride = 1, .insert = 1000, .blocks = 10,
		       .seed = 12345};
	struct option opts[64];
	if (engine_cli_merge_some(opts, 64, tool_opts, engine_names) != 0)
		return ERR_USAGE;
	int r = engine_cli_getopt(&ec, argc, argv, opts, tool, usage, O_VERSION,
				  O_TRAJ, O_VERSION, tool_option_cb, &o, &o.out);
	if (r != 0)
		return r == 1 ? 0 : r;
	const char *miss = optind < argc ? "unexpected argument" : !o.traj
		? "--traj FILE is required" : !(o.temp > 0) ? "--temp T is required"
		: (o.last >= 0 && o.last < o.first) ? "--last is before --first" : NULL;
	if (miss) {
		if (optind < argc)
			fprintf(stderr, "%s: %s '%s'\n", tool, miss, argv[optind]);
		else
			fprintf(stderr, "%s: %s\n", tool, miss);
		return ERR_USAGE;
	}
	struct traj_nc *t = NULL;
	struct frame f = {0};
	struct widom w = {0};
	struct table_writer tw = {0};
	double *vol = NULL, *wb = NULL, *wbn = NULL;
	int code = engine_cli_setup_system(&ec, &e);
	if (code != 0)
		goto fail;
	code = ERR_DATA;
	if (ec.has_ff) { /* the test particle is LJ only */
		err_set(&e, "%s: charges or bonded terms: widom inserts LJ "
			    "particles into LJ systems only", ec.data);
		goto fail;
	}
	const struct system *sys = &ec.sys;
	const struct softcore *sc = ec.decouple ? &ec.sc : NULL;
	/* the original (uncloned) types and parameters */
	size_t nt = sc ? sc->nt0 : sys->ntypes;
	const int *type = sc ? sc->type0 : sys->type;
	int tt = o.type > 0 ? (int)o.type - 1 : sc ? type[sc->dec[0]] : 0;
	if ((size_t)tt >= nt) {
		err_set(&e, "--type %d: %s has types 1..%zu", tt + 1, ec.data, nt);
		goto fail;
	}
	if (widom_init(&w, sys->natoms, nt, type, sc ? sc->is_dec : NULL,
		       sc ? sc->eps0 : sys->lj.eps, sc ? sc->sig0 : sys->lj.sig,
		       sys->lj.cut_global, sys->lj.shift, sys->lj.tail, &e) != 0)
		goto fail;
	if (traj_nc_open(&t, o.traj, &e) != 0)
		goto fail;
	size_t nfr = traj_nc_nframes(t), natoms = traj_nc_natoms(t);
	if (natoms != sys->natoms) {
		err_set(&e, "%s: %zu atoms, but %s has %zu", o.traj, natoms,
			ec.data, sys->natoms);
		goto fail;
	}
	if (traj_nc_units(t) != sys->units.style) {
		err_set(&e, "%s: written in %s units, but --units is %s", o.traj,
			traj_nc_units(t) == UNITS_LJ ? "lj" : "real", sys->units.name);
		goto fail;
	}
	if (nfr == 0 || (size_t)o.first >= nfr) {
		err_set(&e, "%s: %zu frame(s); --first %ld is past the end", o.traj,
			nfr, o.first);
		goto fail;
	}
	size_t last = o.last < 0 || (size_t)o.last >= nfr ? nfr - 1 : (size_t)o.last;
	size_t nuse = (last - (size_t)o.first) / (size_t)o.stride + 1;
	vol = malloc(nuse * sizeof *vol);
	wb = malloc(nuse * sizeof *wb);
	wbn = malloc(nuse * sizeof *wbn);
	if (!vol || !wb || !wbn || frame_alloc(&f, natoms, 0, &e) != 0) {
		err_set(&e, "out of memory");
		goto fail;
	}
	struct rng rng;
	rng_seed(&rng, (uint64_t)o.seed);
	double beta = 1.0 / (sys->units.boltz * o.temp);
	struct progress pr;
	int prog = ec.progress < 0 ? isatty(2) : ec.progress;
	progress_init(&pr, prog && !ec.quiet, tool, 0, (long)nuse, 1.0, "frames/s");
	size_t n = 0;
	for (size_t k = (size_t)o.first; k <= last; k += (size_t)o.stride, n++) {
		if (traj_nc_read(t, k, &f, &e) != 0)
			goto fail;
		if (frame_check(&f, &e) != 0) {
			err_prefix(&e, "%s: frame %zu", o.traj, k);
			goto fail;
		}
		memcpy(ec.st.x, f.x, natoms * sizeof *f.x);
		memcpy(ec.st.y, f.y, natoms * sizeof *f.y);
		memcpy(ec.st.z, f.z, natoms * sizeof *f.z);
		if (f.has_cell)
			for (int a = 0; a < 3; a++)
				ec.st.len[a] = f.cell[a];
		vol[n] = ec.st.len[0] * ec.st.len[1] * ec.st.len[2];
		if (widom_frame(&w, &ec.st, tt, (size_t)o.insert, beta, &rng,
				&wb[n], &wbn[n], &e) != 0) {
			err_prefix(&e, "%s: frame %zu", o.traj, k);
			goto fail;
		}
		progress_update(&pr, (long)n + 1);
	}
	progress_end(&pr, (long)n);
	double bmu, berr, ncoord, vmean = 0.0;
	if (widom_estimate(n, vol, wb, wbn, (size_t)o.blocks, &bmu, &berr,
			   &ncoord, &e) != 0)
		goto fail;
	if (isnan(berr))   /* the table says nan: say why */
		fprintf(stderr, "%s: warning: err is nan (no error estimate): %s\n",
			tool, n < 2 ? "one frame" : o.blocks < 2 ? "--blocks 1" :
			"a block of frames has no accepted insertion; give more "
			"--insert or fewer --blocks");
	for (size_t k = 0; k < n; k++)
		vmean += vol[k] / (double)n;
	double rho = (double)w.nenv / vmean, kt = 1.0 / beta;
	const char *ue = sys->units.u_energy;
	if (table_writer_open(&tw, o.out, &e) != 0)
		goto fail;
	table_writer_provenance(&tw, tool, SK_VERSION, argc, argv);
	table_writer_meta(&tw, "trajectory", "%s (frames %ld..%zu stride %ld: %zu)",
			  o.traj, o.first, last, o.stride, n);
	table_writer_meta(&tw, "units", "%s", sys->units.name);
	table_writer_meta(&tw, "temperature", "%.10g", o.temp);
	table_writer_meta(&tw, "insertions", "%ld per frame, test type %d", o.insert,
			  tt + 1);
	table_writer_meta(&tw, "environment", "%zu atoms, <V> %.10g, rho %.10g",
			  w.nenv, vmean, rho);
	table_writer_meta(&tw, "cutoff", "%.10g %s%s", w.rc,
			  w.shift ? "shifted" : "truncated", w.tail ? " + tail" : "");
	table_writer_meta(&tw, "N_c", "%.10g (Boltzmann-weighted neighbours within "
			  "rc of the test particle)", ncoord);
	table_writer_meta(&tw, "estimator", "beta mu_ex = -ln(<V exp(-beta dU)>/<V>);"
			  " err from %ld blocks of frames", o.blocks);
	double eos[8];
	eos[0] = NAN;
	eos_rows(&tw, &w, &ec, tt, rho, o.temp, ncoord, eos);
	char c1[64], c2[64];
	snprintf(c1, sizeof c1, "mu_ex[%s]", ue);
	snprintf(c2, sizeof c2, "err[%s]", ue);
	const char *cols[] = {"method", "mu_ex[kT]", "err[kT]", c1, c2};
	table_writer_header(&tw, 5, cols);
	fprintf(tw.fp, "WIDOM %.10g %.10g %.10g %.10g\n", bmu, berr, bmu * kt,
		berr * kt);
	if (!isnan(eos[0])) {
		fprintf(tw.fp, "JZG %.10g nan %.10g nan\n", eos[0], eos[2]);
		fprintf(tw.fp, "JZG-CUT %.10g nan %.10g nan\n", eos[4], eos[6]);
	}
	if (table_writer_close(&tw, &e) != 0)
		goto fail;
	code = 0;
	goto done;
fail:
	if (tw.fp)
		table_writer_abort(&tw);
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	free(vol);
	free(wb);
	free(wbn);
	frame_free(&f);
	widom_free(&w);
	if (t) {
		struct err e2;
		traj_nc_close(t, &e2);
	}
	engine_cli_free(&ec);
	return code;
}
