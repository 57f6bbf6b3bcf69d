/* pingpong: the round trip of one cache line between two threads pinned
 * to the first two CPUs this process may run on, in ns (the mean of N
 * round trips, default 200000). lj-bench.sh prints it beside each
 * 2-thread run: this host's vCPUs move between a fast mode (~50-70 ns)
 * and a slow one (~350 ns), and the 2-thread step follows
 * (BENCHMARKS.md). Prints "n/a" with fewer than two CPUs. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Alignas(64) atomic_long flag;
static long nround = 200000;
static int cpu[2];

static void pin(int c)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(c, &s);
	pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static void *answer(void *arg)
{
	pin(cpu[1]);
	for (long i = 0; i < nround; i++) {
		while (atomic_load_explicit(&flag, memory_order_acquire) !=
		       2 * i + 1)
			;
		atomic_store_explicit(&flag, 2 * i + 2, memory_order_release);
	}
	return arg;
}

int main(int argc, char **argv)
{
	if (argc > 1 && (nround = strtol(argv[1], NULL, 10)) < 1) {
		fprintf(stderr, "pingpong: N must be a positive integer\n");
		return 1;
	}
	cpu_set_t s;
	int found = 0;
	if (sched_getaffinity(0, sizeof s, &s) == 0)
		for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
			if (CPU_ISSET(c, &s))
				cpu[found++] = c;
	if (found < 2) {
		puts("n/a");
		return 0;
	}
	pthread_t t;
	if (pthread_create(&t, NULL, answer, NULL) != 0) {
		fprintf(stderr, "pingpong: cannot start a thread\n");
		return 1;
	}
	pin(cpu[0]);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < nround; i++) {
		atomic_store_explicit(&flag, 2 * i + 1, memory_order_release);
		while (atomic_load_explicit(&flag, memory_order_acquire) !=
		       2 * i + 2)
			;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	printf("%.1f\n", ((double)(b.tv_sec - a.tv_sec) * 1e9 +
			  (double)(b.tv_nsec - a.tv_nsec)) /
				 (double)nround);
	return 0;
}
