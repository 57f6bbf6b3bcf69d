/* fe_window: read and write the window tables of DESIGN.md. See
 * fe_window.h for the layout and the decisions taken where DESIGN.md is
 * silent.
 *
 * Messages name file and line, also for the provenance lines: the first
 * lines of each stream (up to the first data row) are read here once to
 * note where "# state:", "# lambdas:", ... and the header are, then handed
 * to table_read_stream() ahead of the rest of the stream through a
 * fopencookie() stream, so stdin works too and nothing is read twice. */
#include "fe_window.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* The head of a stream                                               */
/* ------------------------------------------------------------------ */

enum { KEY_STATE, KEY_LAMBDAS, KEY_TEMP, KEY_UNITS, NKEY };
static const char *const key_name[NKEY] = {"state", "lambdas", "temperature",
					   "units"};

struct head {
	FILE *fp;           /* the underlying stream */
	char *buf;          /* lines read so far (to replay) */
	size_t len, pos;
	long key_line[NKEY];
	long header_line;   /* last comment line before the data (0: none) */
	long nlines;        /* lines in the head */
	int at_eof;         /* the head is the whole stream */
};

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\n';
}

/* "# key: ..." with one of the keys we care about: note its line. */
static void note_key(struct head *h, const char *s, long line)
{
	while (is_space(*s))
		s++;
	for (int k = 0; k < NKEY; k++) {
		size_t n = strlen(key_name[k]);
		if (strncmp(s, key_name[k], n) == 0 && s[n] == ':')
			h->key_line[k] = line;
	}
}

static int read_head(struct head *h, FILE *fp, const char *src,
		     struct err *e)
{
	memset(h, 0, sizeof *h);
	h->fp = fp;
	char *line = NULL;
	size_t cap = 0, bcap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		if (h->len + (size_t)n + 1 > bcap) {
			size_t nc = 2 * (h->len + (size_t)n + 1) + 256;
			char *b = realloc(h->buf, nc);
			if (!b) {
				free(line);
				return err_set(e, "%s: out of memory", src);
			}
			h->buf = b;
			bcap = nc;
		}
		memcpy(h->buf + h->len, line, (size_t)n);
		h->len += (size_t)n;
		h->nlines++;
		const char *s = line;
		while (is_space(*s))
			s++;
		if (*s == '\0')
			continue;
		if (*s != '#')
			break;   /* first data row: the head ends here */
		note_key(h, s + 1, h->nlines);
		h->header_line = h->nlines;
	}
	int saved = errno;
	free(line);
	if (n < 0) {
		if (ferror(fp))
			return err_set(e, "%s:%ld: read error: %s", src,
				       h->nlines + 1, strerror(saved));
		h->at_eof = 1;
	}
	return 0;
}

static ssize_t head_read(void *cookie, char *out, size_t size)
{
	struct head *h = cookie;
	if (h->pos < h->len) {
		size_t n = h->len - h->pos < size ? h->len - h->pos : size;
		memcpy(out, h->buf + h->pos, n);
		h->pos += n;
		return (ssize_t)n;
	}
	if (h->at_eof)
		return 0;
	size_t n = fread(out, 1, size, h->fp);
	return n == 0 && ferror(h->fp) ? -1 : (ssize_t)n;
}

/* ------------------------------------------------------------------ */
/* One window                                                         */
/* ------------------------------------------------------------------ */

struct one {
	struct table t;
	struct head h;
	size_t state, K;
	int ncomp;
	double *lambda;      /* [K*ncomp] */
	double temperature;  /* 0: not given */
	const char *units;   /* NULL: not given */
	int col_time;        /* -1: none */
	int col_dudl[FE_MAXCOMP], ndudl;
	int *col_u;          /* [K] */
};

static void one_free(struct one *o)
{
	table_free(&o->t);
	free(o->h.buf);
	free(o->lambda);
	free(o->col_u);
	memset(o, 0, sizeof *o);
}

static int open_table(struct one *o, const char *path, struct err *e)
{
	int use_stdin = !path || strcmp(path, "-") == 0;
	const char *src = use_stdin ? "<stdin>" : path;
	FILE *fp = use_stdin ? stdin : fopen(path, "r");
	if (!fp)
		return err_set(e, "%s: %s", path, strerror(errno));
	int rc = read_head(&o->h, fp, src, e);
	if (rc == 0) {
		cookie_io_functions_t io = {.read = head_read};
		FILE *cs = fopencookie(&o->h, "r", io);
		if (!cs)
			rc = err_set(e, "%s: %s", src, strerror(errno));
		else {
			rc = table_read_stream(&o->t, cs, src, e);
			fclose(cs);
		}
	}
	if (!use_stdin)
		fclose(fp);   /* read-only: nothing to lose on close */
	free(o->h.buf);
	o->h.buf = NULL;
	return rc;
}

/* A whole cell as a number; 0 when it is one. */
static int parse_number(const char *s, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	return end != s && *end == '\0' ? 0 : -1;
}

static int parse_state(struct one *o, struct err *e)
{
	const char *src = o->t.source, *v = table_meta(&o->t, "state");
	if (!v)
		return err_set(e, "%s: no '# state: k' line (a window table names "
			       "its sampled state, 0-based)", src);
	char *end;
	errno = 0;
	long k = strtol(v, &end, 10);
	if (end == v || *end != '\0' || errno || k < 0)
		return err_set(e, "%s:%ld: state: '%s' is not an index 0, 1, ...",
			       src, o->h.key_line[KEY_STATE], v);
	o->state = (size_t)k;
	return 0;
}

/* "0 0.5 1" or "0,0 1,0 1,0.5 1,1" */
static int parse_lambdas(struct one *o, struct err *e)
{
	const char *src = o->t.source, *v = table_meta(&o->t, "lambdas");
	long ln = o->h.key_line[KEY_LAMBDAS];
	if (!v)
		return err_set(e, "%s: no '# lambdas: ...' line (the whole "
			       "schedule, one entry per state)", src);
	size_t len = strlen(v), cap = len / 2 + 2;
	char *copy = strdup(v);
	o->lambda = malloc(cap * FE_MAXCOMP * sizeof *o->lambda);
	if (!copy || !o->lambda) {
		free(copy);
		return err_set(e, "%s: out of memory", src);
	}
	size_t k = 0;
	int rc = 0;
	char *save = NULL;
	for (char *tok = strtok_r(copy, " \t", &save); tok && rc == 0;
	     tok = strtok_r(NULL, " \t", &save), k++) {
		char *comma = strchr(tok, ',');
		int nc = comma ? 2 : 1;
		if (comma)
			*comma = '\0';
		double a, b = 0;
		if (parse_number(tok, &a) || !isfinite(a) ||
		    (comma && (parse_number(comma + 1, &b) || !isfinite(b)))) {
			if (comma)
				*comma = ',';
			rc = err_set(e, "%s:%ld: lambdas: entry %zu '%s' is not a "
				     "number or a coul,lj pair", src, ln, k, tok);
			break;
		}
		if (k == 0)
			o->ncomp = nc;
		else if (nc != o->ncomp)
			rc = err_set(e, "%s:%ld: lambdas: entry %zu has %d "
				     "component(s), entry 0 has %d", src, ln, k,
				     nc, o->ncomp);
		o->lambda[k * FE_MAXCOMP] = a;
		o->lambda[k * FE_MAXCOMP + 1] = b;
	}
	free(copy);
	if (rc)
		return rc;
	if (k < 2)
		return err_set(e, "%s:%ld: lambdas: %zu state(s); free energies "
			       "need at least 2", src, ln, k);
	/* pack to [K*ncomp] */
	for (size_t i = 0; i < k; i++)
		for (int c = 0; c < o->ncomp; c++)
			o->lambda[i * (size_t)o->ncomp + (size_t)c] =
				o->lambda[i * FE_MAXCOMP + (size_t)c];
	o->K = k;
	if (o->state >= k)
		return err_set(e, "%s:%ld: state %zu, but the schedule has %zu "
			       "states (0..%zu)", src, o->h.key_line[KEY_STATE],
			       o->state, k, k - 1);
	return 0;
}

/* "300" or "300 K" */
static int parse_meta_extra(struct one *o, struct err *e)
{
	const char *src = o->t.source, *v = table_meta(&o->t, "temperature");
	if (v) {
		char *end;
		double T = strtod(v, &end);
		while (is_space(*end))
			end++;
		const char *unit = end;
		while (*end && !is_space(*end))
			end++;
		while (is_space(*end))
			end++;
		if (end == v || unit == v || *end || !isfinite(T) || T <= 0)
			return err_set(e, "%s:%ld: temperature: '%s' is not a "
				       "positive number", src,
				       o->h.key_line[KEY_TEMP], v);
		o->temperature = T;
	}
	v = table_meta(&o->t, "units");
	if (v) {
		if (strcmp(v, "real") && strcmp(v, "lj"))
			return err_set(e, "%s:%ld: units: '%s' is not lj or real",
				       src, o->h.key_line[KEY_UNITS], v);
		o->units = v;
	}
	return 0;
}

/* u_<digits> */
static int u_index(const char *name, size_t *k)
{
	if (name[0] != 'u' || name[1] != '_' || name[2] < '0' || name[2] > '9')
		return 0;
	char *end;
	errno = 0;
	unsigned long v = strtoul(name + 2, &end, 10);
	if (*end || errno)
		return 0;
	*k = (size_t)v;
	return 1;
}

static int want_kT(const struct one *o, size_t c, struct err *e)
{
	const char *u = o->t.unit[c];
	if (*u && strcmp(u, "kT"))
		return err_set(e, "%s:%ld: column %s[%s]: reduced energies are "
			       "in kT (u = beta U)", o->t.source, o->h.header_line,
			       o->t.name[c], u);
	return 0;
}

static int find_columns(struct one *o, struct err *e)
{
	struct table *t = &o->t;
	long hl = o->h.header_line;
	o->col_u = malloc(o->K * sizeof *o->col_u);
	if (!o->col_u)
		return err_set(e, "%s: out of memory", t->source);
	for (size_t k = 0; k < o->K; k++)
		o->col_u[k] = -1;
	o->col_time = -1;
	int dudl = -1, dc = -1, dl = -1;
	for (size_t c = 0; c < t->ncol; c++) {
		const char *nm = t->name[c];
		size_t k;
		int *slot = NULL;
		if (u_index(nm, &k)) {
			if (k >= o->K)
				return err_set(e, "%s:%ld: column %s, but the schedule "
					       "has %zu states (u_0..u_%zu)",
					       t->source, hl, nm, o->K, o->K - 1);
			slot = &o->col_u[k];
		} else if (!strcmp(nm, "time"))
			slot = &o->col_time;
		else if (!strcmp(nm, "dudl"))
			slot = &dudl;
		else if (!strcmp(nm, "dudl_coul"))
			slot = &dc;
		else if (!strcmp(nm, "dudl_lj"))
			slot = &dl;
		if (!slot)
			continue;
		if (*slot >= 0)
			return err_set(e, "%s:%ld: column '%s' appears twice",
				       t->source, hl, nm);
		*slot = (int)c;
		if (slot != &o->col_time && want_kT(o, c, e))
			return -1;
	}
	for (size_t k = 0; k < o->K; k++)
		if (o->col_u[k] < 0)
			return err_set(e, "%s:%ld: no column u_%zu (the schedule has "
				       "%zu states: u_0..u_%zu)", t->source, hl, k,
				       o->K, o->K - 1);
	o->col_dudl[0] = o->col_dudl[1] = -1;
	if (o->ncomp == 1) {
		o->ndudl = dudl >= 0;
		o->col_dudl[0] = dudl;
	} else if (dc >= 0 || dl >= 0) {
		if (dc < 0 || dl < 0)
			return err_set(e, "%s:%ld: %s without %s (two-component "
				       "schedules need both)", t->source, hl,
				       dc >= 0 ? "dudl_coul" : "dudl_lj",
				       dc >= 0 ? "dudl_lj" : "dudl_coul");
		o->ndudl = 2;
		o->col_dudl[0] = dc;
		o->col_dudl[1] = dl;
	} else if (dudl >= 0) {
		o->ndudl = 1;   /* resolved against the schedule later */
		o->col_dudl[0] = dudl;
	}
	return 0;
}

/* u cells: finite or +inf. */
static int check_values(const struct one *o, struct err *e)
{
	const struct table *t = &o->t;
	if (t->nrow == 0)
		return err_set(e, "%s:%ld: empty window: no data rows", t->source,
			       o->h.nlines);
	for (size_t r = 0; r < t->nrow; r++)
		for (size_t k = 0; k < o->K; k++) {
			size_t c = (size_t)o->col_u[k];
			if (isfinite(table_get(t, r, c)))
				continue;
			const char *s = table_cell(t, r, c);
			double v;
			if (parse_number(s, &v))
				return err_set(e, "%s:%ld: u_%zu: '%s' is not a number",
					       t->source, t->line[r], k, s);
			if (isnan(v) || v < 0)
				return err_set(e, "%s:%ld: u_%zu is %s (energies must be "
					       "numbers; +inf marks a state the frame "
					       "cannot be in)", t->source, t->line[r],
					       k, s);
			if (k == o->state)
				return err_set(e, "%s:%ld: u_%zu is +inf in the frame's "
					       "own sampled state %zu", t->source,
					       t->line[r], k, o->state);
		}
	for (int c = 0; c < FE_MAXCOMP; c++)
		if (o->col_dudl[c] >= 0 &&
		    table_numeric(t, (size_t)o->col_dudl[c], 0, e))
			return -1;
	if (o->col_time >= 0) {
		size_t c = (size_t)o->col_time;
		if (table_numeric(t, c, 0, e))
			return -1;
		for (size_t r = 1; r < t->nrow; r++)
			if (!(table_get(t, r, c) > table_get(t, r - 1, c)))
				return err_set(e, "%s:%ld: time %s does not increase "
					       "(line %ld has %s): concatenated runs? "
					       "sort and remove duplicates",
					       t->source, t->line[r],
					       table_cell(t, r, c), t->line[r - 1],
					       table_cell(t, r - 1, c));
	}
	return 0;
}

static int read_one(struct one *o, const char *path, struct err *e)
{
	memset(o, 0, sizeof *o);
	if (open_table(o, path, e) || parse_state(o, e) || parse_lambdas(o, e) ||
	    parse_meta_extra(o, e) || find_columns(o, e) || check_values(o, e))
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* All windows                                                        */
/* ------------------------------------------------------------------ */

static int same_schedule(const struct one *a, const struct one *b,
			 struct err *e)
{
	long la = a->h.key_line[KEY_LAMBDAS], lb = b->h.key_line[KEY_LAMBDAS];
	if (a->K != b->K || a->ncomp != b->ncomp)
		return err_set(e, "%s:%ld: schedule of %zu state(s) with %d "
			       "component(s); %s:%ld has %zu with %d",
			       b->t.source, lb, b->K, b->ncomp, a->t.source, la,
			       a->K, a->ncomp);
	for (size_t i = 0; i < a->K * (size_t)a->ncomp; i++)
		if (a->lambda[i] != b->lambda[i])
			return err_set(e, "%s:%ld: lambdas differ from %s:%ld at "
				       "entry %zu (%.10g vs %.10g)", b->t.source,
				       lb, a->t.source, la, i / (size_t)a->ncomp,
				       b->lambda[i], a->lambda[i]);
	if (a->temperature > 0 && b->temperature > 0 &&
	    a->temperature != b->temperature)
		return err_set(e, "%s:%ld: temperature %.10g, %s:%ld says %.10g",
			       b->t.source, b->h.key_line[KEY_TEMP],
			       b->temperature, a->t.source,
			       a->h.key_line[KEY_TEMP], a->temperature);
	if (a->units && b->units && strcmp(a->units, b->units))
		return err_set(e, "%s:%ld: units %s, %s:%ld says %s", b->t.source,
			       b->h.key_line[KEY_UNITS], b->units, a->t.source,
			       a->h.key_line[KEY_UNITS], a->units);
	if (a->ndudl != b->ndudl)
		return err_set(e, "%s:%ld: %d dU/dlambda column(s), %s has %d",
			       b->t.source, b->h.header_line, b->ndudl,
			       a->t.source, a->ndudl);
	return 0;
}

/* A single dudl column on a two-component schedule: usable when one
 * component alone changes; it is that component's derivative. */
static void resolve_dudl(struct fe_windows *w, const struct one *o,
			 int *target)
{
	*target = 0;
	if (o->ncomp == 1 || o->ndudl != 1)
		return;
	int changes[2] = {0, 0};
	for (size_t k = 1; k < w->K; k++)
		for (int c = 0; c < 2; c++)
			changes[c] |= w->lambda[k * 2 + (size_t)c] !=
				      w->lambda[(k - 1) * 2 + (size_t)c];
	if (changes[0] && changes[1]) {
		snprintf(w->note, sizeof w->note, "TI not possible: one dudl "
			 "column but both lambda components change; give "
			 "dudl_coul and dudl_lj");
		*target = -1;
	} else {
		*target = changes[1];
	}
}

static int assemble(struct fe_windows *w, struct one *by_state, struct err *e)
{
	size_t K = w->K, N = 0;
	for (size_t k = 0; k < K; k++) {
		w->start[k] = N;
		w->N_k[k] = by_state[k].t.nrow;
		N += w->N_k[k];
	}
	w->N = N;
	const struct one *o0 = &by_state[0];
	int target = 0;
	resolve_dudl(w, o0, &target);
	w->ndudl = o0->ndudl == 0 || target < 0 ? 0 : w->ncomp;
	if (K > SIZE_MAX / sizeof(double) / (N ? N : 1))
		return err_set(e, "%s: windows too large", o0->t.source);
	w->u_kn = malloc(K * N * sizeof *w->u_kn);
	w->time = malloc(N * sizeof *w->time);
	w->line = malloc(N * sizeof *w->line);
	w->dudl = w->ndudl ? calloc((size_t)w->ndudl * N, sizeof *w->dudl)
			   : NULL;
	if (!w->u_kn || !w->time || !w->line || (w->ndudl && !w->dudl))
		return err_set(e, "%s: out of memory", o0->t.source);
	for (size_t s = 0; s < K; s++) {
		const struct one *o = &by_state[s];
		const struct table *t = &o->t;
		for (size_t r = 0; r < t->nrow; r++) {
			size_t n = w->start[s] + r;
			for (size_t k = 0; k < K; k++) {
				double v = table_get(t, r, (size_t)o->col_u[k]);
				w->u_kn[k * N + n] = isfinite(v) ? v : INFINITY;
			}
			w->time[n] = o->col_time >= 0 ?
				     table_get(t, r, (size_t)o->col_time) : NAN;
			w->line[n] = t->line[r];
			if (w->ndudl == 0)
				continue;
			if (o->ndudl == 1)
				w->dudl[(size_t)target * N + n] =
					table_get(t, r, (size_t)o->col_dudl[0]);
			else
				for (int c = 0; c < w->ndudl; c++)
					w->dudl[(size_t)c * N + n] = table_get(
						t, r, (size_t)o->col_dudl[c]);
		}
		if (o->col_time >= 0 && !w->time_unit[0])
			snprintf(w->time_unit, sizeof w->time_unit, "%s",
				 t->unit[o->col_time]);
		w->source[s] = strdup(t->source);
		if (!w->source[s])
			return err_set(e, "%s: out of memory", t->source);
	}
	return 0;
}

int fe_window_read(struct fe_windows *w, size_t n, const char *const *paths,
		   struct err *e)
{
	memset(w, 0, sizeof *w);
	size_t nstdin = 0;
	for (size_t i = 0; i < n; i++)
		nstdin += !paths[i] || !strcmp(paths[i], "-");
	if (n == 0)
		return err_set(e, "no window tables");
	if (nstdin > 1)
		return err_set(e, "stdin (-) can be read only once");
	struct one *all = calloc(n, sizeof *all), *by_state = NULL;
	size_t K = 0, *slot = NULL;
	if (!all)
		return err_set(e, "out of memory");
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		if (read_one(&all[i], paths[i], e))
			goto out;
		if (i > 0 && same_schedule(&all[0], &all[i], e))
			goto out;
	}
	K = all[0].K;
	slot = malloc(K * sizeof *slot);
	by_state = calloc(K, sizeof *by_state);
	if (!slot || !by_state) {
		err_set(e, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < K; k++)
		slot[k] = SIZE_MAX;
	rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t s = all[i].state;
		if (slot[s] != SIZE_MAX)
			rc = err_set(e, "%s:%ld: state %zu again (also %s)",
				     all[i].t.source, all[i].h.key_line[KEY_STATE],
				     s, all[slot[s]].t.source);
		slot[s] = i;
	}
	for (size_t k = 0; k < K && rc == 0; k++)
		if (slot[k] == SIZE_MAX)
			rc = err_set(e, "no window for state %zu: the schedule of "
				     "%s:%ld has %zu states, one file each",
				     k, all[0].t.source,
				     all[0].h.key_line[KEY_LAMBDAS], K);
	if (rc == 0) {
		/* move the windows into state order */
		for (size_t k = 0; k < K; k++) {
			by_state[k] = all[slot[k]];
			memset(&all[slot[k]], 0, sizeof all[slot[k]]);
		}
		rc = -1;
		w->K = K;
		w->ncomp = by_state[0].ncomp;
		w->N_k = calloc(K, sizeof *w->N_k);
		w->start = calloc(K, sizeof *w->start);
		w->lambda = malloc(K * (size_t)w->ncomp * sizeof *w->lambda);
		w->source = calloc(K, sizeof *w->source);
		if (!w->N_k || !w->start || !w->lambda || !w->source) {
			err_set(e, "out of memory");
		} else {
			memcpy(w->lambda, by_state[0].lambda,
			       K * (size_t)w->ncomp * sizeof *w->lambda);
			for (size_t k = 0; k < K; k++) {
				if (by_state[k].temperature > 0)
					w->temperature = by_state[k].temperature;
				if (by_state[k].units)
					snprintf(w->units, sizeof w->units, "%s",
						 by_state[k].units);
			}
			rc = assemble(w, by_state, e);
		}
	}
out:
	free(slot);
	for (size_t i = 0; i < n; i++)
		one_free(&all[i]);
	if (by_state)
		for (size_t k = 0; k < K; k++)
			one_free(&by_state[k]);
	free(all);
	free(by_state);
	if (rc)
		fe_window_free(w);
	return rc;
}

void fe_window_free(struct fe_windows *w)
{
	if (w->source)
		for (size_t k = 0; k < w->K; k++)
			free(w->source[k]);
	free(w->source);
	free(w->N_k);
	free(w->start);
	free(w->u_kn);
	free(w->time);
	free(w->lambda);
	free(w->dudl);
	free(w->line);
	memset(w, 0, sizeof *w);
}

/* Shortest of %.15g..%.17g that reads back exactly. */
static void put_double(char *buf, size_t size, double v)
{
	for (int p = 15; p <= 17; p++) {
		snprintf(buf, size, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static void lambda_str(const double *lam, int ncomp, size_t k, char *buf,
		       size_t size)
{
	char a[32], b[32];
	put_double(a, sizeof a, lam[k * (size_t)ncomp]);
	if (ncomp == 1) {
		snprintf(buf, size, "%s", a);
	} else {
		put_double(b, sizeof b, lam[k * (size_t)ncomp + 1]);
		snprintf(buf, size, "%s,%s", a, b);
	}
}

void fe_window_lambda_str(const struct fe_windows *w, size_t k, char *buf,
			  size_t size)
{
	lambda_str(w->lambda, w->ncomp, k, buf, size);
}

/* ------------------------------------------------------------------ */
/* Writing                                                            */
/* ------------------------------------------------------------------ */

int fe_window_begin(struct table_writer *tw, const char *path,
		    const struct fe_window_head *h, const char *tool,
		    const char *version, int argc, char **argv,
		    struct err *e)
{
	if (h->K < 2 || h->state >= h->K || (h->ncomp != 1 && h->ncomp != 2) ||
	    (h->ndudl != 0 && h->ndudl != h->ncomp))
		return err_set(e, "%s: bad window description (state %zu of %zu, "
			       "%d components, %d dudl columns)",
			       path ? path : "<stdout>", h->state, h->K, h->ncomp,
			       h->ndudl);
	size_t ncol = 1 + (size_t)h->ndudl + h->K;
	char *lam = malloc(h->K * 70 + 1);
	char **names = calloc(ncol, sizeof *names);
	int rc = -1;
	if (!lam || !names) {
		err_set(e, "out of memory");
		goto out;
	}
	size_t used = 0;
	for (size_t k = 0; k < h->K; k++) {
		char one[70];
		lambda_str(h->lambda, h->ncomp, k, one, sizeof one);
		used += (size_t)sprintf(lam + used, "%s%s", k ? " " : "", one);
	}
	for (size_t c = 0; c < ncol; c++)
		if (!(names[c] = malloc(64))) {
			err_set(e, "out of memory");
			goto out;
		}
	if (h->time_unit && *h->time_unit)
		snprintf(names[0], 64, "time[%s]", h->time_unit);
	else
		snprintf(names[0], 64, "time");
	if (h->ndudl == 1)
		snprintf(names[1], 64, "dudl[kT]");
	else if (h->ndudl == 2) {
		snprintf(names[1], 64, "dudl_coul[kT]");
		snprintf(names[2], 64, "dudl_lj[kT]");
	}
	for (size_t k = 0; k < h->K; k++)
		snprintf(names[1 + (size_t)h->ndudl + k], 64, "u_%zu[kT]", k);
	if (table_writer_open(tw, path, e))
		goto out;
	table_writer_provenance(tw, tool, version, argc, argv);
	table_writer_meta(tw, "state", "%zu", h->state);
	table_writer_meta(tw, "lambdas", "%s", lam);
	if (h->temperature > 0)
		table_writer_meta(tw, "temperature", "%.17g", h->temperature);
	if (h->units)
		table_writer_meta(tw, "units", "%s", h->units);
	table_writer_header(tw, ncol, (const char *const *)names);
	rc = 0;
out:
	if (names)
		for (size_t c = 0; c < ncol; c++)
			free(names[c]);
	free(names);
	free(lam);
	return rc;
}

void fe_window_row(struct table_writer *tw, const struct fe_window_head *h,
		   double time, const double *dudl, const double *u)
{
	if (!tw->fp)
		return;
	fprintf(tw->fp, "%.17g", time);
	for (int c = 0; c < h->ndudl; c++)
		fprintf(tw->fp, " %.17g", dudl[c]);
	for (size_t k = 0; k < h->K; k++)
		fprintf(tw->fp, " %.17g", u[k]);
	fputc('\n', tw->fp);
}

int fe_window_write(const char *path, const struct fe_window_head *h,
		    size_t nrow, const double *time, const double *dudl,
		    const double *u, const char *tool, const char *version,
		    int argc, char **argv, struct err *e)
{
	struct table_writer tw;
	if (fe_window_begin(&tw, path, h, tool, version, argc, argv, e))
		return -1;
	for (size_t r = 0; r < nrow; r++)
		fe_window_row(&tw, h, time[r],
			      h->ndudl ? dudl + r * (size_t)h->ndudl : NULL,
			      u + r * h->K);
	return table_writer_close(&tw, e);
}
