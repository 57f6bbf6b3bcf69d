#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_double(const char *opt, const char *s, double *out, struct err *e)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v))
		return err_set(e, "%s: '%s' is not a finite number", opt, s);
	*out = v;
	return 0;
}

int cli_positive(const char *opt, const char *s, double *out, struct err *e)
{
	if (cli_double(opt, s, out, e) != 0)
		return -1;
	if (!(*out > 0.0))
		return err_set(e, "%s: '%s' must be positive", opt, s);
	return 0;
}

int cli_long(const char *opt, const char *s, long min, long *out,
	     struct err *e)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE)
		return err_set(e, "%s: '%s' is not an integer", opt, s);
	if (v < min)
		return err_set(e, "%s: %ld is less than %ld", opt, v, min);
	*out = v;
	return 0;
}

int cli_range(const char *opt, const char *s, double *a, double *b,
	      struct err *e)
{
	const char *colon = strchr(s, ':');
	if (!colon)
		return err_set(e, "%s: '%s' is not a range LO:HI", opt, s);
	char lo[128];
	size_t n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof lo)
		return err_set(e, "%s: '%s' is not a range LO:HI", opt, s);
	memcpy(lo, s, n);
	lo[n] = '\0';
	if (cli_double(opt, lo, a, e) != 0 || cli_double(opt, colon + 1, b, e) != 0)
		return -1;
	if (!(*a < *b))
		return err_set(e, "%s: range '%s' is empty (need LO < HI)", opt, s);
	return 0;
}

int cli_choice(const char *opt, const char *s, const char *const *names,
	       int *out, struct err *e)
{
	int n = 0;
	for (; names[n]; n++)
		if (!strcmp(s, names[n])) {
			*out = n;
			return 0;
		}
	char list[256] = "";
	size_t len = 0;
	for (int i = 0; i < n && len < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
					i == 0 ? "" : i == n - 1 ? " or " : ", ",
					names[i]);
	return err_set(e, "%s: '%s' is not %s", opt, s, list);
}

int cli_list(const char *opt, const char *s, double *out, int max, int *n,
	     struct err *e)
{
	char buf[1024];
	if (strlen(s) >= sizeof buf)
		return err_set(e, "%s: list too long", opt);
	strcpy(buf, s);
	*n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n >= max)
			return err_set(e, "%s: more than %d values", opt, max);
		if (cli_double(opt, tok, &out[*n], e) != 0)
			return -1;
		(*n)++;
	}
	if (*n == 0)
		return err_set(e, "%s: empty list", opt);
	return 0;
}

double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_init(struct progress *p, int enabled, const char *what,
		   long start, long total, double rate_scale,
		   const char *rate_unit)
{
	p->enabled = enabled;
	p->what = what;
	p->start_step = start;
	p->total = total;
	p->t0 = p->last = wall_seconds();
	p->rate_scale = rate_scale;
	p->rate_unit = rate_unit;
}

static void progress_print(struct progress *p, long done, int final)
{
	double now = wall_seconds(), el = now - p->t0;
	long ran = done - p->start_step;
	double sps = el > 0 ? ran / el : 0.0;
	double eta = sps > 0 ? (p->total - done) / sps : 0.0;
	fprintf(stderr, "\r%s: %5.1f%% step %ld/%ld  %.4g %s  ETA %02d:%02d:%02d%s",
		p->what, p->total ? 100.0 * done / p->total : 100.0, done,
		p->total, sps * p->rate_scale, p->rate_unit, (int)(eta / 3600),
		(int)(eta / 60) % 60, (int)eta % 60, final ? "\n" : "");
	fflush(stderr);
}

void progress_update(struct progress *p, long done)
{
	if (!p->enabled)
		return;
	double now = wall_seconds();
	if (now - p->last < 2.0)
		return;
	p->last = now;
	progress_print(p, done, 0);
}

void progress_end(struct progress *p, long done)
{
	if (p->enabled)
		progress_print(p, done, 1);
}

void cli_try_help(const char *tool)
{
	fprintf(stderr, "Try '%s --help' for the options.\n", tool);
}

void cli_catch_stop(void (*handler)(int))
{
	struct sigaction sa = {0};
	sa.sa_handler = handler;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}
