/* box-build: a LAMMPS data file of molecules from templates, placed by
 * packmol (solutes one per z layer when asked). See man/man1/box-build.1. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "lmp_data.h"
#include "molbuild.h"
#include "rng.h"

static const char *tool = "box-build";
#define MAXMOL 64

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: box-build --box LX,LY,LZ --mol FILE:COUNT[:zspread] [--mol ...]\n"
"                 [options] -o FILE.data\n"
"Place COUNT copies of each template molecule (a LAMMPS data file with its\n"
"parameters, e.g. share/ff/spce.data) in a box with packmol and write one\n"
"LAMMPS data file (atom_style full) with every coefficient.\n"
"  --box LX,LY,LZ          box edge lengths in A (origin 0,0,0)\n"
"  --mol FILE:COUNT        COUNT copies of FILE placed anywhere\n"
"  --mol FILE:COUNT:zspread  one copy per equal-height z layer, random x, y\n"
"                          and orientation (a flat concentration profile)\n"
"  --tolerance D           packmol's minimum distance between atoms of\n"
"                          different molecules, also across the periodic\n"
"                          boundaries (default 2.0 A)\n"
"  --seed S                packmol seed (default 12345)\n"
"  --nloop N               packmol nloop (default: packmol's own)\n"
"  --max-tries N           random draws per zspread copy before giving up\n"
"                          (default 100000)\n"
"  --max-density RHO       refuse boxes denser than RHO g/cm^3 (default 2)\n"
"  --packmol PATH          the packmol program (default: packmol on PATH)\n"
"  --workdir DIR           keep packmol's input and output in DIR\n"
"  -o FILE                 output data file (required; written atomically)\n"
"  -q                      no summary line on stderr\n"
"  -h, --help  --version\n");
}

static int die(int code, const struct err *e)
{
	fprintf(stderr, "%s: %s\n", tool, e->msg);
	return code;
}

/* Full path of prog (PATH search when it has no '/'), or NULL. */
static char *find_exe(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0 ? strdup(prog) : NULL;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char *f = malloc(n + strlen(prog) + 2);
		if (!f)
			return NULL;
		snprintf(f, n + strlen(prog) + 2, "%.*s/%s", (int)n,
			 n ? path : ".", prog);
		if (access(f, X_OK) == 0)
			return f;
		free(f);
		path += n + (path[n] == ':');
	}
	return NULL;
}

/* Run packmol in dir with stdin from in.inp and output to packmol.log;
 * 0 when it reports a converged packing. */
static int run_packmol(const char *exe, const char *dir, struct err *e)
{
	pid_t pid = fork();
	if (pid < 0)
		return err_set(e, "cannot start packmol: %s", strerror(errno));
	if (pid == 0) {
		if (chdir(dir))
			_exit(126);
		int in = open("in.inp", O_RDONLY);
		int log = open("packmol.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (in < 0 || log < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 ||
		    dup2(log, 2) < 0)
			_exit(126);
		execl(exe, exe, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return err_set(e, "packmol: %s", strerror(errno));
	char logp[4096], line[512], last[512] = "";
	int success = 0;
	snprintf(logp, sizeof logp, "%s/packmol.log", dir);
	FILE *fp = fopen(logp, "r");
	while (fp && fgets(line, sizeof line, fp)) {
		if (strstr(line, "Success!"))
			success = 1;
		/* packmol's own reason, for the message */
		if (strcasestr(line, "error") ||
		    strcasestr(line, "without perfect packing")) {
			const char *l = line + strspn(line, " \t");
			snprintf(last, sizeof last, "%.*s", (int)strcspn(l, ":\n"), l);
		}
	}
	if (fp)
		fclose(fp);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && success)
		return 0;
	if (!*last)
		snprintf(last, sizeof last, "exit %d",
			 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return err_set(e, "packmol found no packing with every atom pair of "
		       "different molecules at least the tolerance apart (%s): "
		       "the box is too small for the molecules, or raise "
		       "--nloop / lower --tolerance", last);
}

/* Remove dir and the files in it (all of them ours). */
static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[4096];
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int build(struct molbuild *mb, const double box[3], double tol,
		 long seed, long nloop, long max_tries, const char *exe,
		 const char *dir,
		 const char *out, const char *cmdline, int quiet,
		 struct err *e)
{
	char path[4096], *xyzn[MAXMOL] = {0};
	const char *xyz[MAXMOL];
	double *x = NULL, *y = NULL, *z = NULL;
	double *placed[MAXMOL] = {0};
	struct lmp_data d = {0};
	struct rng r;
	int rc = -1;
	FILE *fp;
	rng_seed(&r, (uint64_t)seed);
	if (molbuild_place_zspread(mb, box, tol, &r, max_tries, placed, e))
		goto out;
	for (size_t k = 0; k < mb->nspec; k++) {
		xyzn[k] = malloc(32);
		if (!xyzn[k])
			return err_set(e, "out of memory");
		snprintf(xyzn[k], 32, "mol%zu.xyz", k + 1);
		xyz[k] = xyzn[k];
		snprintf(path, sizeof path, "%s/%s", dir, xyz[k]);
		if (!(fp = fopen(path, "w"))) {
			err_set(e, "%s: %s", path, strerror(errno));
			goto out;
		}
		int w = placed[k] ? molbuild_write_placed_xyz(mb, k, placed[k], fp, e)
				  : molbuild_write_xyz(mb, k, fp, e);
		if (fclose(fp) || w) {
			if (!w)
				err_set(e, "%s: write error", path);
			goto out;
		}
	}
	x = malloc(mb->natoms * sizeof *x);
	y = malloc(mb->natoms * sizeof *y);
	z = malloc(mb->natoms * sizeof *z);
	if (!x || !y || !z) {
		err_set(e, "out of memory");
		goto out;
	}
	int need_packmol = 0;
	for (size_t k = 0; k < mb->nspec; k++)
		need_packmol |= !mb->spec[k].zspread;
	double tp = 0;
	if (need_packmol) {
		snprintf(path, sizeof path, "%s/in.inp", dir);
		if (!(fp = fopen(path, "w"))) {
			err_set(e, "%s: %s", path, strerror(errno));
			goto out;
		}
		int w = molbuild_packmol_input(mb, box, tol, seed, nloop, xyz,
					       "packed.xyz", fp, e);
		if (fclose(fp) || w) {
			if (!w)
				err_set(e, "%s: write error", path);
			goto out;
		}
		double t0 = wall_seconds();
		if (run_packmol(exe, dir, e)) {
			size_t l = strlen(e->msg);
			snprintf(e->msg + l, sizeof e->msg - l,
				 " (mass density %.3g g/cm^3)",
				 molbuild_density(mb, box));
			goto out;
		}
		tp = wall_seconds() - t0;
		snprintf(path, sizeof path, "%s/packed.xyz", dir);
		if (molbuild_read_xyz(mb, path, x, y, z, e))
			goto out;
	} else {
		/* every molecule is placed already: nothing for packmol */
		size_t o = 0;
		for (size_t k = 0; k < mb->nspec; k++)
			for (size_t i = 0; i < (size_t)mb->spec[k].count * mb->tmpl[k].natoms; i++, o++) {
				x[o] = placed[k][i * 3];
				y[o] = placed[k][i * 3 + 1];
				z[o] = placed[k][i * 3 + 2];
			}
	}
	char title[256];
	snprintf(title, sizeof title, "LAMMPS data file via soretkit box-build "
		 "(packmol, seed %ld, tolerance %g A)", seed, tol);
	if (molbuild_merge(mb, box, x, y, z, title, &d, e))
		goto out;
	/* the header: command, the templates' type ranges, the conventions */
	char *com = NULL;
	size_t clen = 0;
	FILE *cf = open_memstream(&com, &clen);
	if (!cf) {
		err_set(e, "out of memory");
		goto out;
	}
	fprintf(cf, "# %s\n", cmdline);
	size_t t0v = 1;
	long m0 = 1;
	for (size_t k = 0; k < mb->nspec; k++) {
		const struct lmp_data *t = &mb->tmpl[k];
		fprintf(cf, "# %s x %ld%s: atom types %zu-%zu, molecules %ld-%ld\n",
			mb->spec[k].path, mb->spec[k].count,
			mb->spec[k].zspread ? " (zspread: one per z layer)" : "",
			t0v, t0v + t->ntypes - 1, m0, m0 + mb->spec[k].count - 1);
		t0v += t->ntypes;
		m0 += mb->spec[k].count;
	}
	fputs("# Run with the templates' conventions (share/ff/README.md): pair_style\n"
	      "#   lj/cut/coul/long, pair_modify mix geometric, special_bonds lj/coul 0.0 0.0 0.5\n"
	      "#   (md-run --mix geometric --special-lj 0,0,0.5 --special-coul 0,0,0.5).\n", cf);
	fclose(cf);
	rc = lmp_data_write_commented(&d, com, out, e);
	free(com);
	if (!rc && !quiet)
		fprintf(stderr, "%s: %zu atoms, %ld molecules in %gx%gx%g A, "
			"%.3g g/cm^3 (packmol %.1f s) -> %s\n", tool, d.natoms,
			m0 - 1, box[0], box[1], box[2],
			molbuild_density(mb, box), tp, out);
out:
	for (size_t k = 0; k < mb->nspec; k++) {
		free(xyzn[k]);
		free(placed[k]);
	}
	free(x);
	free(y);
	free(z);
	lmp_data_free(&d);
	return rc;
}

int main(int argc, char **argv)
{
	enum { O_BOX = 256, O_MOL, O_TOL, O_SEED, O_NLOOP, O_TRIES, O_RHO, O_PACKMOL,
	       O_WORK, O_VER };
	static const struct option lo[] = {
		{"box", 1, 0, O_BOX}, {"mol", 1, 0, O_MOL},
		{"tolerance", 1, 0, O_TOL}, {"seed", 1, 0, O_SEED},
		{"nloop", 1, 0, O_NLOOP}, {"max-tries", 1, 0, O_TRIES}, {"max-density", 1, 0, O_RHO},
		{"packmol", 1, 0, O_PACKMOL}, {"workdir", 1, 0, O_WORK},
		{"help", 0, 0, 'h'}, {"version", 0, 0, O_VER}, {0, 0, 0, 0}};
	struct err e = {{0}};
	struct molbuild_spec spec[MAXMOL];
	size_t nspec = 0;
	double box[3], tol = 2.0, rho = 2.0;
	int nbox = 0, quiet = 0, c, code = ERR_USAGE;
	long seed = 12345, nloop = 0, max_tries = 100000;
	const char *out = NULL, *packmol = "packmol", *workdir = NULL;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case O_BOX: rc = cli_list("--box", optarg, box, 3, &nbox, &e); break;
		case O_MOL:
			if (nspec == MAXMOL)
				rc = err_set(&e, "--mol: at most %d templates", MAXMOL);
			else if (!(rc = molbuild_parse_spec(optarg, &spec[nspec], &e)))
				nspec++;
			break;
		case O_TOL: rc = cli_positive("--tolerance", optarg, &tol, &e); break;
		case O_SEED: rc = cli_long("--seed", optarg, 0, &seed, &e); break;
		case O_NLOOP: rc = cli_long("--nloop", optarg, 1, &nloop, &e); break;
		case O_TRIES: rc = cli_long("--max-tries", optarg, 1, &max_tries, &e); break;
		case O_RHO: rc = cli_positive("--max-density", optarg, &rho, &e); break;
		case O_PACKMOL: packmol = optarg; break;
		case O_WORK: workdir = optarg; break;
		case 'o': out = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); code = 0; goto done;
		case O_VER: printf("%s (soretkit) %s\n", tool, SK_VERSION); code = 0; goto done;
		default: cli_try_help(tool); goto done;
		}
		if (rc) {
			die(ERR_USAGE, &e);
			goto done;
		}
	}
	if (optind < argc) {
		err_set(&e, "unexpected argument '%s'", argv[optind]);
		die(ERR_USAGE, &e);
		goto done;
	}
	if (!out || nbox != 3 || !nspec) {
		err_set(&e, "--box LX,LY,LZ, at least one --mol FILE:COUNT and -o FILE are required");
		die(ERR_USAGE, &e);
		goto done;
	}
	for (int a = 0; a < 3; a++)
		if (!(box[a] > 0)) {
			err_set(&e, "--box: edge lengths must be positive");
			die(ERR_USAGE, &e);
			goto done;
		}
	/* the command line, for the data file's header */
	char cmd[2048];
	size_t cl = 0;
	cmd[0] = 0;
	for (int k = 0; k < argc && cl < sizeof cmd - 1; k++)
		cl += (size_t)snprintf(cmd + cl, sizeof cmd - cl, "%s%s",
				       k ? " " : "", argv[k]);

	struct molbuild mb;
	code = ERR_DATA;
	int loaded = molbuild_load(&mb, spec, nspec, &e);
	nspec = 0;   /* mb owns the specs now */
	if (loaded || molbuild_check_box(&mb, box, tol, rho, &e)) {
		die(ERR_DATA, &e);
		molbuild_free(&mb);
		goto done;
	}
	char *exe = find_exe(packmol);
	if (!exe) {
		if (strchr(packmol, '/'))
			fprintf(stderr, "%s: %s: packmol not found (not an executable)\n", tool, packmol);
		else
			fprintf(stderr, "%s: packmol not found; install it with scripts/install-deps\n", tool);
		molbuild_free(&mb);
		goto done;
	}
	char tmpl[4096];
	const char *dir = workdir;
	if (workdir) {
		if (mkdir(workdir, 0755) && errno != EEXIST) {
			fprintf(stderr, "%s: --workdir %s: %s\n", tool, workdir, strerror(errno));
			free(exe);
			molbuild_free(&mb);
			goto done;
		}
	} else {
		const char *td = getenv("TMPDIR");
		snprintf(tmpl, sizeof tmpl, "%s/box-build.XXXXXX", td && *td ? td : "/tmp");
		if (!(dir = mkdtemp(tmpl))) {
			fprintf(stderr, "%s: cannot create a work directory %s: %s\n",
				tool, tmpl, strerror(errno));
			free(exe);
			molbuild_free(&mb);
			goto done;
		}
	}
	if (build(&mb, box, tol, seed, nloop, max_tries, exe, dir, out, cmd,
		  quiet, &e))
		die(ERR_DATA, &e);
	else
		code = 0;
	if (!workdir)
		rm_dir(dir);
	free(exe);
	molbuild_free(&mb);
done:
	for (size_t k = 0; k < nspec; k++)
		molbuild_spec_free(&spec[k]);
	return code;
}
