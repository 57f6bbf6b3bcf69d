/* box-init: write a LAMMPS data file for a multi-component Lennard-Jones
 * mixture in a rectangular box (random non-overlapping or fcc positions,
 * seeded). See man/man1/box-init.1. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "cli.h"
#include "lmp_data.h"
#include "rng.h"

static const char *tool = "box-init";
#define MAXT 16

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: box-init --box LX,LY,LZ --count N1[,N2...] [options] -o FILE.data\n"
"Write a LAMMPS data file (atom_style atomic) of an LJ mixture.\n"
"  --box LX,LY,LZ      box edge lengths (origin 0,0,0)\n"
"  --count N1,N2,...   atoms of each type (type 1 first)\n"
"  --mass M1,M2,...    masses per type (default 1 each)\n"
"  --eps E1,E2,...     LJ epsilon per type (default 1 each)\n"
"  --sigma S1,S2,...   LJ sigma per type (default 1 each)\n"
"  --lattice           fcc sites chosen at random instead of random positions\n"
"  --min-dist D        minimum distance of random positions or lattice sites\n"
"                      (default 0.8*min sigma)\n"
"  --seed S            random seed (default 12345)\n"
"  -o FILE             output data file (required; written atomically)\n"
"  -h, --help  --version\n");
}

static int die(int code, const struct err *e)
{
	fprintf(stderr, "%s: %s\n", tool, e->msg);
	return code;
}

int main(int argc, char **argv)
{
	enum { O_BOX = 256, O_COUNT, O_MASS, O_EPS, O_SIG, O_LAT, O_MIN, O_SEED, O_VER };
	static const struct option lo[] = {
		{"box", 1, 0, O_BOX}, {"count", 1, 0, O_COUNT}, {"mass", 1, 0, O_MASS},
		{"eps", 1, 0, O_EPS}, {"sigma", 1, 0, O_SIG}, {"lattice", 0, 0, O_LAT},
		{"min-dist", 1, 0, O_MIN}, {"seed", 1, 0, O_SEED}, {"help", 0, 0, 'h'},
		{"version", 0, 0, O_VER}, {0, 0, 0, 0}};
	struct err e = {{0}};
	double box[3], cnt[MAXT], mass[MAXT], eps[MAXT], sig[MAXT], dmin = NAN;
	int nbox = 0, nt = 0, nm = 0, ne = 0, ns = 0, lattice = 0, c;
	long seed = 12345;
	const char *out = NULL;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case O_BOX: rc = cli_list("--box", optarg, box, 3, &nbox, &e); break;
		case O_COUNT: rc = cli_list("--count", optarg, cnt, MAXT, &nt, &e); break;
		case O_MASS: rc = cli_list("--mass", optarg, mass, MAXT, &nm, &e); break;
		case O_EPS: rc = cli_list("--eps", optarg, eps, MAXT, &ne, &e); break;
		case O_SIG: rc = cli_list("--sigma", optarg, sig, MAXT, &ns, &e); break;
		case O_LAT: lattice = 1; break;
		case O_MIN:
			rc = cli_double("--min-dist", optarg, &dmin, &e);
			if (rc == 0 && dmin < 0)
				rc = err_set(&e, "--min-dist: '%s' is negative", optarg);
			break;
		case O_SEED: rc = cli_long("--seed", optarg, 0, &seed, &e); break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		case O_VER: printf("%s (soretkit) %s\n", tool, SK_VERSION); return 0;
		default: cli_try_help(tool); return ERR_USAGE;
		}
		if (rc)
			return die(ERR_USAGE, &e);
	}
	if (optind < argc) {
		err_set(&e, "unexpected argument '%s'", argv[optind]);
		return die(ERR_USAGE, &e);
	}
	if (!out || nbox != 3 || nt == 0) {
		err_set(&e, "--box LX,LY,LZ, --count N1,... and -o FILE are required");
		return die(ERR_USAGE, &e);
	}
	for (int a = 0; a < 3; a++)
		if (!(box[a] > 0)) {
			err_set(&e, "--box: edge lengths must be positive");
			return die(ERR_USAGE, &e);
		}
	long count[MAXT];
	size_t n = 0;
	for (int t = 0; t < nt; t++) {
		/* range first: converting a double beyond long is undefined */
		if (!(cnt[t] >= 0 && cnt[t] <= 1e12) || cnt[t] != (long)cnt[t]) {
			err_set(&e, "--count: '%g' is not an integer from 0 to 1e12", cnt[t]);
			return die(ERR_USAGE, &e);
		}
		count[t] = (long)cnt[t];
		n += (size_t)count[t];
	}
	struct { int n; double *v; const char *name; } lists[] = {
		{nm, mass, "--mass"}, {ne, eps, "--eps"}, {ns, sig, "--sigma"}};
	for (int k = 0; k < 3; k++) {
		if (lists[k].n == 0)
			for (int t = 0; t < nt; t++)
				lists[k].v[t] = 1.0;
		else if (lists[k].n != nt) {
			err_set(&e, "%s: %d values for %d types", lists[k].name, lists[k].n, nt);
			return die(ERR_USAGE, &e);
		}
		for (int t = 0; t < nt; t++)
			if (!(lists[k].v[t] > 0) && !(k == 1 && lists[k].v[t] == 0)) {
				err_set(&e, "%s: values must be positive", lists[k].name);
				return die(ERR_USAGE, &e);
			}
	}
	if (isnan(dmin)) {
		double smin = sig[0];
		for (int t = 1; t < nt; t++)
			if (sig[t] < smin)
				smin = sig[t];
		dmin = 0.8 * smin;
	}
	struct lmp_data d = {0};
	if (lmp_data_alloc(&d, n, (size_t)nt, 0, &e) != 0)
		return die(ERR_DATA, &e);
	int code = ERR_DATA;
	struct rng r;
	rng_seed(&r, (uint64_t)seed);
	if (build_positions(lattice ? BUILD_FCC : BUILD_RANDOM, box, count, nt,
			    dmin, &r, d.x, d.y, d.z, d.type, &e) != 0)
		goto out;
	char title[256];
	snprintf(title, sizeof title, "LJ mixture by box-init (seed %ld)", seed);
	d.title = strdup(title);
	d.style = LMP_ATOMIC;
	for (int a = 0; a < 3; a++) {
		d.lo[a] = 0.0;
		d.hi[a] = box[a];
	}
	d.has_mass = d.has_pair = 1;
	snprintf(d.pair_style, sizeof d.pair_style, "lj/cut");
	for (int t = 0; t < nt; t++) {
		d.mass[t] = mass[t];
		d.pair_eps[t * nt + t] = eps[t];
		d.pair_sig[t * nt + t] = sig[t];
	}
	for (size_t i = 0; i < n; i++)
		d.id[i] = (long)i + 1;
	if (lmp_data_write(&d, out, &e) != 0)
		goto out;
	code = 0;
out:
	if (code)
		fprintf(stderr, "%s: %s\n", tool, e.msg);
	lmp_data_free(&d);
	return code;
}
