/* cli: strict parsing of option values and the progress line shared by the
 * tools. Numbers are parsed with strtod/strtol, the end pointer checked and
 * finite values required (STYLE.md rule 8); messages name the option. */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <stdio.h>

#include "err.h"

int cli_double(const char *opt, const char *s, double *out, struct err *e);
int cli_positive(const char *opt, const char *s, double *out, struct err *e);
int cli_long(const char *opt, const char *s, long min, long *out,
	     struct err *e);
/* "a:b" with a < b */
int cli_range(const char *opt, const char *s, double *a, double *b,
	      struct err *e);
/* s as one of the names (NULL-terminated list): its index to *out; else
 * "OPT: 'S' is not A, B or C". */
int cli_choice(const char *opt, const char *s, const char *const *names,
	       int *out, struct err *e);
/* Comma-separated doubles, at most max; *n gets the count. */
int cli_list(const char *opt, const char *s, double *out, int max, int *n,
	     struct err *e);

/* Progress on stderr: percent, rate, ETA; printed at most every 2 s of wall
 * time, only when enabled (stderr is a terminal, or --progress given) and
 * not quiet. */
struct progress {
	int enabled;
	long total, start_step;
	double t0, last;
	double rate_scale;   /* steps -> output unit (e.g. dt * 86400 -> per day) */
	const char *rate_unit;
	const char *what;
};
/* After getopt's own message for an unknown option or a missing argument:
 * one line pointing at --help, not the whole usage (errors are one line). */
void cli_try_help(const char *tool);
/* SIGTERM and SIGINT call handler, which sets the tool's stop flag: its
 * long loop then stops between steps or frames and cleans up (md-run and
 * ehex-gradient checkpoint, fep-window removes its temporary). */
void cli_catch_stop(void (*handler)(int));
double wall_seconds(void);
void progress_init(struct progress *p, int enabled, const char *what,
		   long start, long total, double rate_scale,
		   const char *rate_unit);
void progress_update(struct progress *p, long done);
void progress_end(struct progress *p, long done);

#endif
