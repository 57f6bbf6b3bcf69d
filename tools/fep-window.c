/* fep-window: re-evaluate the frames of a trajectory sampled at one state of
 * a lambda schedule at every state, and write the window table of
 * DESIGN.md that mbar reads. See man/man1/fep-window.1 and common/fep.h. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine_cli.h"
#include "fe_window.h"
#include "fep.h"
#include "traj_nc.h"

static const char *tool = "fep-window";
/* SIGTERM/SIGINT: stop between frames and remove the temporary table */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: fep-window --data FILE --traj TRAJ.nc --decouple SEL --state I\n"
"                  (--lambdas LIST | --windows K) --temp T [options] [-o FILE]\n"
"Reduced potentials of each frame at every lambda state (a window table).\n"
"  --traj TRAJ.nc        trajectory sampled at state I (md-run --lambda)\n"
"  --first N --last N    frames N.. (0-based, default 0) ..N (default last)\n"
"  --stride S            every S-th frame (default 1)\n"
"  --lambdas LIST        schedule: 1,0.95,...,0 or 'C,L C,L ...' pairs\n"
"  --windows K           K equally spaced states 1 -> 0 (coupled first)\n"
"  --state I             0-based index of the sampled state in the schedule\n"
"  --temp T              temperature of the run (beta = 1/kB T)\n"
"  --press P             NPT run at pressure P: adds beta P V per frame\n"
"  --absolute            u_k = beta U (whole potential energy) instead of\n"
"                        beta U_dec (pairs of the decoupled atoms only)\n"
"  --units, --cutoff, --mix, --shift, --tail, --decouple, --sc-form,\n"
"  --sc-alpha, --sc-n, --sc-power, --kspace, --kspace-accuracy,\n"
"  --coul-cutoff, --special-lj, --special-coul, --allow-charged,\n"
"  --tip4p, --constrain, --shake-tol, --shake-iter, --shake-only:\n"
"                        as given to md-run for the run\n"
"  --threads N           OpenMP threads (--absolute)\n"
"  -o FILE               window table (default stdout)\n"
"  --progress  -q  -h, --help  --version\n");
}

enum { O_TRAJ = 256, O_FIRST, O_LAST, O_STRIDE, O_LAMBDAS, O_WINDOWS,
       O_STATE, O_TEMP, O_PRESS, O_ABS, O_VERSION };
static const struct option tool_opts[] = {
	{"traj", 1, 0, O_TRAJ}, {"first", 1, 0, O_FIRST}, {"last", 1, 0, O_LAST},
	{"stride", 1, 0, O_STRIDE}, {"lambdas", 1, 0, O_LAMBDAS},
	{"windows", 1, 0, O_WINDOWS}, {"state", 1, 0, O_STATE},
	{"temp", 1, 0, O_TEMP}, {"press", 1, 0, O_PRESS},
	{"absolute", 0, 0, O_ABS}, {"help", 0, 0, 'h'},
	{"version", 0, 0, O_VERSION}, {0, 0, 0, 0}};
static const char *const engine_names[] = {
	"units", "data", "cutoff", "mix", "shift", "tail", "decouple",
	"sc-form", "sc-alpha", "sc-n", "sc-power", "threads", "progress",
	"kspace", "kspace-accuracy", "coul-cutoff", "special-lj",
	"special-coul", "allow-charged", "tip4p",
	"constrain", "shake-tol", "shake-iter", "shake-only", NULL};

struct fw_opts {
	const char *traj, *lambdas, *out;
	long first, last, stride, windows, state;
	double temp, press;
	int absolute;
};

static int tool_option(int c, const char *a, struct fw_opts *o, struct err *e)
{
	switch (c) {
	case O_TRAJ: o->traj = a; return 0;
	case O_FIRST: return cli_long("--first", a, 0, &o->first, e);
	case O_LAST: return cli_long("--last", a, 0, &o->last, e);
	case O_STRIDE: return cli_long("--stride", a, 1, &o->stride, e);
	case O_LAMBDAS: o->lambdas = a; return 0;
	case O_WINDOWS: return cli_long("--windows", a, 2, &o->windows, e);
	case O_STATE: return cli_long("--state", a, 0, &o->state, e);
	case O_TEMP: return cli_positive("--temp", a, &o->temp, e);
	case O_PRESS: return cli_double("--press", a, &o->press, e);
	case O_ABS: o->absolute = 1; return 0;
	}
	return err_set(e, "internal: unhandled option");
}

static int tool_option_cb(void *ctx, int c, const char *a, struct err *e)
{
	return tool_option(c, a, (struct fw_opts *)ctx, e);
}

/* Usage errors that need no file: exit 2 before anything is read. */
static int check_usage(const struct fw_opts *o, const struct engine_cli *ec,
		       struct fep_schedule *sch, struct err *e)
{
	if (!o->traj)
		return err_set(e, "--traj FILE is required");
	if (!ec->decouple)
		return err_set(e, "--decouple SEL is required (the atoms whose "
				  "coupling lambda changes)");
	if (o->state < 0)
		return err_set(e, "--state I is required");
	if (!(o->temp > 0))
		return err_set(e, "--temp T is required");
	if (!o->lambdas == !o->windows)
		return err_set(e, "give one of --lambdas LIST and --windows K");
	if (o->last >= 0 && o->last < o->first)
		return err_set(e, "--last %ld is before --first %ld", o->last,
			       o->first);
	if (o->lambdas ? fep_schedule_parse(o->lambdas, sch, e)
		       : fep_schedule_windows((size_t)o->windows, sch, e))
		return -1;
	if ((size_t)o->state >= sch->K)
		return err_set(e, "--state %ld: the schedule has %zu states "
				  "(0..%zu)", o->state, sch->K, sch->K - 1);
	return 0;
}

int main(int argc, char **argv)
{
	struct err e = {{0}};
	struct engine_cli ec;
	engine_cli_defaults(&ec);
	struct fw_opts o = {.first = 0, .last = -1, .stride = 1, .state = -1,
			    .press = NAN};
	struct option opts[64];
	if (engine_cli_merge_some(opts, 64, tool_opts, engine_names) != 0)
		return ERR_USAGE;
	int r = engine_cli_getopt(&ec, argc, argv, opts, tool, usage, O_VERSION,
				  O_TRAJ, O_VERSION, tool_option_cb, &o, &o.out);
	if (r != 0)
		return r == 1 ? 0 : r;
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", tool, argv[optind]);
		return ERR_USAGE;
	}
	struct fep_schedule sch = {0};
	if (check_usage(&o, &ec, &sch, &e) != 0) {
		fprintf(stderr, "%s: %s\n", tool, e.msg);
		return ERR_USAGE;
	}
	struct traj_nc *t = NULL;
	struct frame f = {0};
	struct fep_eval ev = {0};
	struct table_writer tw = {0};
	int open_out = 0;
	double *u = NULL;
	int code = engine_cli_setup_system(&ec, &e);
	if (code != 0)
		goto fail;
	if (!(ec.has_ff && ec.ff.has_charge))
		for (size_t k = 0; k < sch.K; k++)
			if (fep_schedule_state(&sch, k).coul != 1.0) {
				err_set(&e, "--lambdas: state %zu has Coulomb lambda "
					    "%g, but %s has no charges", k,
					fep_schedule_state(&sch, k).coul, ec.data);
				code = ERR_USAGE;
				goto fail;
			}
	code = ERR_DATA;
	if (ec.has_ff && forcefield_prepare(&ec.ff, &ec.sys, &ec.st, &e) != 0) {
		err_prefix(&e, "%s", ec.data);
		goto fail;
	}
	const struct units *un = &ec.sys.units;
	if (traj_nc_open(&t, o.traj, &e) != 0)
		goto fail;
	size_t nfr = traj_nc_nframes(t), natoms = traj_nc_natoms(t);
	if (natoms != ec.sys.natoms) {
		err_set(&e, "%s: %zu atoms, but %s has %zu", o.traj, natoms,
			ec.data, ec.sys.natoms);
		goto fail;
	}
	if (traj_nc_units(t) != un->style) {
		err_set(&e, "%s: written in %s units, but --units is %s", o.traj,
			traj_nc_units(t) == UNITS_LJ ? "lj" : "real", un->name);
		goto fail;
	}
	if (nfr == 0 || (size_t)o.first >= nfr) {
		err_set(&e, "%s: %zu frame(s); --first %ld is past the end", o.traj,
			nfr, o.first);
		goto fail;
	}
	size_t last = o.last < 0 || (size_t)o.last >= nfr ? nfr - 1 : (size_t)o.last;
	if (fep_eval_init(&ev, &ec.sys, &ec.sc, &sch, (size_t)o.state, o.temp,
			  o.press, o.absolute, 0.0, &e) != 0 ||
	    (ec.has_dc && fep_eval_molecular(&ev, &ec.sc, &ec.ff, &ec.dc,
					     &e) != 0) ||
	    frame_alloc(&f, natoms, 0, &e) != 0)
		goto fail;
	if (!(u = malloc(sch.K * sizeof *u))) {
		err_set(&e, "out of memory");
		goto fail;
	}
	struct fe_window_head h = {
		.state = (size_t)o.state, .K = sch.K, .ncomp = sch.ncomp,
		.lambda = sch.lambda, .temperature = o.temp, .units = un->name,
		.time_unit = un->u_time, .ndudl = sch.ncomp};
	cli_catch_stop(on_signal);
	if (fe_window_begin(&tw, o.out, &h, tool, SK_VERSION, argc, argv, &e) != 0)
		goto fail;
	open_out = 1;
	struct progress pr;
	int prog = ec.progress < 0 ? isatty(2) : ec.progress;
	progress_init(&pr, prog && !ec.quiet, tool, (long)o.first, (long)last + 1,
		      1.0, "frames/s");
	for (size_t k = (size_t)o.first; k <= last; k += (size_t)o.stride) {
		if (stop_requested) {
			err_set(&e, "stopped by signal at frame %zu", k);
			goto fail;
		}
		if (traj_nc_read(t, k, &f, &e) != 0)
			goto fail;
		if (frame_check(&f, &e) != 0) {
			err_prefix(&e, "%s: frame %zu", o.traj, k);
			goto fail;
		}
		if (!f.has_cell && !isnan(o.press)) {
			err_set(&e, "%s: frame %zu has no cell, needed for p V", o.traj, k);
			goto fail;
		}
		memcpy(ec.st.x, f.x, natoms * sizeof *f.x);
		memcpy(ec.st.y, f.y, natoms * sizeof *f.y);
		memcpy(ec.st.z, f.z, natoms * sizeof *f.z);
		if (f.has_cell)
			for (int a = 0; a < 3; a++)
				ec.st.len[a] = f.cell[a];
		double dudl[2];
		if (fep_eval_frame(&ev, &ec.st, u, dudl, &e) != 0) {
			err_prefix(&e, "%s: frame %zu", o.traj, k);
			goto fail;
		}
		fe_window_row(&tw, &h, f.time, dudl, u);
		progress_update(&pr, (long)k + 1);
	}
	progress_end(&pr, (long)last + 1);
	open_out = 0;
	if (table_writer_close(&tw, &e) != 0)
		goto fail;
	code = 0;
	goto done;
fail:
	if (open_out)
		table_writer_abort(&tw);
	fprintf(stderr, "%s: %s\n", tool, e.msg);
done:
	free(u);
	frame_free(&f);
	fep_eval_free(&ev);
	if (t) {
		struct err e2;
		traj_nc_close(t, &e2);
	}
	fep_schedule_free(&sch);
	engine_cli_free(&ec);
	return code;
}
