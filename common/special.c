/* special: 1-2, 1-3, 1-4 neighbours from the bond graph as LAMMPS's
 * special_bonds builds them (src/special.cpp: onetwo, onethree, onefour,
 * dedup, combine). See special.h for the rules. */
#include "special.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int special_parse(const char *s, const char *opt, double f[3], struct err *e)
{
	const char *p = s;
	for (int k = 0; k < 3; k++) {
		char *end;
		errno = 0;
		double v = strtod(p, &end);
		if (end == p || errno || !isfinite(v))
			return err_set(e, "%s: '%s' is not three numbers A,B,C "
				       "(the 1-2, 1-3, 1-4 factors)", opt, s);
		if (v < 0.0 || v > 1.0)
			return err_set(e, "%s: factor %g is outside [0,1]",
				       opt, v);
		f[k] = v;
		p = end;
		if (k < 2) {
			if (*p != ',')
				return err_set(e, "%s: '%s' is not three "
					       "numbers A,B,C", opt, s);
			p++;
		}
	}
	if (*p)
		return err_set(e, "%s: '%s' is not three numbers A,B,C", opt,
			       s);
	return 0;
}

/* The bond graph as adjacency lists; a bond given twice appears twice, as
 * in LAMMPS's onetwo before dedup (it matters only for the log counts). */
struct graph {
	size_t *off;   /* [n+1] */
	size_t *adj;   /* [2*nbonds] */
};

static int graph_build(struct graph *g, size_t n, const size_t *bond,
		       size_t nb, struct err *e)
{
	size_t *fill = NULL;
	g->off = calloc(n + 1, sizeof *g->off);
	g->adj = malloc((2 * nb + 1) * sizeof *g->adj);
	fill = calloc(n + 1, sizeof *fill);
	if (!g->off || !g->adj || !fill) {
		free(fill);
		return err_set(e, "special bonds: out of memory");
	}
	for (size_t k = 0; k < nb; k++) {
		g->off[bond[2 * k] + 1]++;
		g->off[bond[2 * k + 1] + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		g->off[i + 1] += g->off[i];
	memcpy(fill, g->off, (n + 1) * sizeof *fill);
	for (size_t k = 0; k < nb; k++) {
		size_t a = bond[2 * k], b = bond[2 * k + 1];
		g->adj[fill[a]++] = b;
		g->adj[fill[b]++] = a;
	}
	free(fill);
	return 0;
}

static void graph_free(struct graph *g)
{
	free(g->off);
	free(g->adj);
}

/* Walk the relations of atom i, closest first (1-2, then 1-3, then 1-4,
 * as LAMMPS's combine), keeping each partner once; writes the encoded
 * entries to out when not NULL and returns their number. mark[] holds
 * i + 1 for partners already taken. */
static size_t collect(const struct graph *g, size_t i, int levels,
		      size_t *mark, uint32_t *out)
{
	size_t cnt = 0;
	const size_t stamp = i + 1;
	mark[i] = stamp;
#define TAKE(k, rel)                                                      \
	do {                                                              \
		if (mark[k] != stamp) {                                   \
			mark[k] = stamp;                                  \
			if (out)                                          \
				out[cnt] = special_encode((uint32_t)(k), rel); \
			cnt++;                                            \
		}                                                         \
	} while (0)
	for (size_t a = g->off[i]; a < g->off[i + 1]; a++)
		TAKE(g->adj[a], SPECIAL_12);
	if (levels >= 2)
		for (size_t a = g->off[i]; a < g->off[i + 1]; a++) {
			size_t j = g->adj[a];
			for (size_t b = g->off[j]; b < g->off[j + 1]; b++)
				TAKE(g->adj[b], SPECIAL_13);
		}
	/* 1-4: bonded to a 1-3 atom k (k = i itself only through a bond
	 * given twice, and its partners are 1-2 already). */
	if (levels >= 3)
		for (size_t a = g->off[i]; a < g->off[i + 1]; a++) {
			size_t j = g->adj[a];
			for (size_t b = g->off[j]; b < g->off[j + 1]; b++) {
				size_t k = g->adj[b];
				if (k == i)
					continue;
				for (size_t c = g->off[k]; c < g->off[k + 1];
				     c++)
					TAKE(g->adj[c], SPECIAL_14);
			}
		}
#undef TAKE
	return cnt;
}

static void sort_entries(uint32_t *v, size_t n)
{
	for (size_t a = 1; a < n; a++) {
		uint32_t t = v[a];
		size_t b = a;
		while (b > 0 && special_index(v[b - 1]) > special_index(t)) {
			v[b] = v[b - 1];
			b--;
		}
		v[b] = t;
	}
}

/* LAMMPS's log counts: lists before dedup, so a partner reached by two
 * paths counts twice. With deg() counting duplicate bonds:
 *   n12(m) = deg(m), n13(m) = sum_{i in adj(m)} (deg(i) - 1),
 *   n14(m) = sum over the n13 entries k of deg(k)
 *          = sum_{i in adj(m)} (sum_{k in adj(i)} deg(k) - deg(m)). */
static void log_counts(struct special *sp, const struct graph *g)
{
	const size_t *off = g->off, *adj = g->adj;
	size_t m12 = 0, m13 = 0, m14 = 0;
	for (size_t m = 0; m < sp->n; m++) {
		size_t dm = off[m + 1] - off[m], n13 = 0, n14 = 0;
		for (size_t a = off[m]; a < off[m + 1]; a++) {
			size_t i = adj[a], s = 0;
			n13 += off[i + 1] - off[i] - 1;
			for (size_t b = off[i]; b < off[i + 1]; b++)
				s += off[adj[b] + 1] - off[adj[b]];
			n14 += s - dm;
		}
		if (dm > m12)
			m12 = dm;
		if (n13 > m13)
			m13 = n13;
		if (n14 > m14)
			m14 = n14;
	}
	sp->max12 = (int)m12;
	sp->max13 = sp->levels >= 2 ? (int)m13 : -1;
	sp->max14 = sp->levels >= 3 ? (int)m14 : -1;
}

int special_build(struct special *sp, size_t natoms, const size_t *bond,
		  size_t nbonds, const double lj[3], const double coul[3],
		  struct err *e)
{
	static const double zero[3] = {0.0, 0.0, 0.0};
	struct graph g = {0};
	size_t *mark = NULL;
	memset(sp, 0, sizeof *sp);
	if (!lj)
		lj = zero;
	if (!coul)
		coul = zero;
	if (natoms >= ((size_t)1 << SPECIAL_SHIFT))
		return err_set(e, "special bonds: %zu atoms, at most %zu are "
			       "supported", natoms,
			       ((size_t)1 << SPECIAL_SHIFT) - 1);
	for (size_t k = 0; k < nbonds; k++) {
		if (bond[2 * k] >= natoms || bond[2 * k + 1] >= natoms)
			return err_set(e, "special bonds: bond %zu refers to "
				       "atom index %zu of %zu", k + 1,
				       bond[2 * k] >= natoms ? bond[2 * k]
							     : bond[2 * k + 1],
				       natoms);
		if (bond[2 * k] == bond[2 * k + 1])
			return err_set(e, "special bonds: bond %zu joins atom "
				       "index %zu to itself", k + 1,
				       bond[2 * k]);
	}
	sp->n = natoms;
	sp->lj[0] = sp->coul[0] = 1.0;
	for (int r = 0; r < 3; r++) {
		sp->lj[r + 1] = lj[r];
		sp->coul[r + 1] = coul[r];
	}
	/* Special::build's early returns */
	if (lj[1] == 1.0 && coul[1] == 1.0 && lj[2] == 1.0 && coul[2] == 1.0)
		sp->levels = 1;
	else if (lj[2] == 1.0 && coul[2] == 1.0)
		sp->levels = 2;
	else
		sp->levels = 3;

	if (graph_build(&g, natoms, bond, nbonds, e))
		goto fail;
	sp->start = calloc(natoms + 1, sizeof *sp->start);
	mark = calloc(natoms + 1, sizeof *mark);
	if (!sp->start || !mark) {
		err_set(e, "special bonds: out of memory");
		goto fail;
	}
	size_t maxs = 1; /* LAMMPS's atom->maxspecial starts at 1 */
	for (size_t i = 0; i < natoms; i++) {
		size_t c = collect(&g, i, sp->levels, mark, NULL);
		sp->start[i + 1] = sp->start[i] + c;
		if (c > maxs)
			maxs = c;
	}
	sp->maxspecial = (int)maxs;
	sp->list = malloc((sp->start[natoms] + 1) * sizeof *sp->list);
	if (!sp->list) {
		err_set(e, "special bonds: out of memory");
		goto fail;
	}
	memset(mark, 0, (natoms + 1) * sizeof *mark);
	for (size_t i = 0; i < natoms; i++) {
		collect(&g, i, sp->levels, mark, sp->list + sp->start[i]);
		sort_entries(sp->list + sp->start[i],
			     sp->start[i + 1] - sp->start[i]);
	}
	log_counts(sp, &g);
	graph_free(&g);
	free(mark);
	return 0;
fail:
	graph_free(&g);
	free(mark);
	special_free(sp);
	return -1;
}

int special_from_data(struct special *sp, const struct lmp_data *d,
		      const double lj[3], const double coul[3],
		      const char *path, struct err *e)
{
	const struct lmp_topo *t = &d->bonds;
	size_t *bond = malloc((2 * t->n + 1) * sizeof *bond);
	memset(sp, 0, sizeof *sp);
	if (!bond)
		return err_set(e, "%s: out of memory", path);
	for (size_t k = 0; k < t->n; k++)
		for (int a = 0; a < 2; a++) {
			long id = t->atom[2 * k + (size_t)a];
			long i = lmp_data_index(d, id);
			if (i < 0) {
				free(bond);
				return err_set(e, "%s: Bonds: bond %ld refers "
					       "to atom id %ld, which is not "
					       "in Atoms", path, t->id[k], id);
			}
			bond[2 * k + (size_t)a] = (size_t)i;
		}
	int rc = special_build(sp, d->natoms, bond, t->n, lj, coul, e);
	free(bond);
	if (rc)
		return err_prefix(e, "%s", path);
	return 0;
}

void special_free(struct special *sp)
{
	free(sp->start);
	free(sp->list);
	memset(sp, 0, sizeof *sp);
}

int special_relation(const struct special *sp, size_t i, size_t j)
{
	size_t lo = sp->start[i], hi = sp->start[i + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t k = special_index(sp->list[mid]);
		if (k == j)
			return special_code(sp->list[mid]);
		if (k < j)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SPECIAL_NONE;
}

/* Neighbor::init: special_flag 0 when both factors are 0, 1 when both are
 * 1, else 2; every level 2 with a k-space solver. */
enum special_action special_action(const struct special *sp, int rel,
				   int kspace)
{
	if (rel == SPECIAL_NONE)
		return SPECIAL_ORDINARY;
	if (kspace)
		return SPECIAL_SCALED;
	if (sp->lj[rel] == 0.0 && sp->coul[rel] == 0.0)
		return SPECIAL_EXCLUDE;
	if (sp->lj[rel] == 1.0 && sp->coul[rel] == 1.0)
		return SPECIAL_ORDINARY;
	return SPECIAL_SCALED;
}

int special_pairs(const struct special *sp, struct special_pair **pairs,
		  size_t *npairs, struct err *e)
{
	size_t n = 0;
	*pairs = NULL;
	*npairs = 0;
	for (size_t i = 0; i < sp->n; i++)
		for (size_t a = sp->start[i]; a < sp->start[i + 1]; a++)
			if (special_index(sp->list[a]) > i)
				n++;
	if (!n)
		return 0;
	struct special_pair *p = malloc(n * sizeof *p);
	if (!p)
		return err_set(e, "special bonds: out of memory");
	size_t k = 0;
	for (size_t i = 0; i < sp->n; i++)
		for (size_t a = sp->start[i]; a < sp->start[i + 1]; a++) {
			size_t j = special_index(sp->list[a]);
			int rel = special_code(sp->list[a]);
			if (j <= i)
				continue;
			p[k].i = i;
			p[k].j = j;
			p[k].rel = rel;
			p[k].lj = sp->lj[rel];
			p[k].coul = sp->coul[rel];
			k++;
		}
	*pairs = p;
	*npairs = n;
	return 0;
}
