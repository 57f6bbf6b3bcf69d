/* fft_wisdom: FFTW's wisdom (its record of which algorithm it chose for
 * each transform) as text, so that a process can make the same FFTW plans
 * as an earlier one.
 *
 * Why: FFTW_MEASURE chooses among equivalent algorithms by timing them, so
 * two processes may get different plans for the same transform, and
 * different plans round differently (same math, results ~1e-16 relative
 * apart, enough to make MD trajectories diverge). With the first process's
 * wisdom imported before planning, the second gets the first's plans and
 * bitwise the same results (pppm.h: fftw_measure; run.h: the checkpoint
 * carries the wisdom).
 *
 * FFTW keeps wisdom in one table per process (its design, not ours):
 * importing affects every plan made afterwards in the process, including
 * FFTW_ESTIMATE plans of the same transforms, which then reuse measured
 * wisdom. These calls, like every FFTW planner call, must not run
 * concurrently with each other or with planning in another thread (FFTW's
 * planner is not thread-safe; only fftw_execute is). Call them from the
 * main thread before and after making the plans. */
#ifndef SK_FFT_WISDOM_H
#define SK_FFT_WISDOM_H

#include "err.h"

/* Add the wisdom in text (as fft_wisdom_export wrote it) to the process's
 * wisdom. what names its origin for the message. 0, or -1 when FFTW cannot
 * read it (e.g. written by another FFTW version). */
int fft_wisdom_import(const char *text, const char *what, struct err *e);
/* All the process's wisdom as text (malloc'd; free it), NULL and a message
 * when out of memory. */
char *fft_wisdom_export(struct err *e);

#endif
