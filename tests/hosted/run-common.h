/* The hosted run test's shared declarations (run-main.c, run-other.c).
 * The same source is built in VM mode (percpu-run-vm) and in classic mode
 * (percpu-run-classic); both must print exactly run.expected. */
#ifndef RUN_COMMON_H
#define RUN_COMMON_H

#include <percpu-vm/percpu.h>

/* Four simulated CPUs, fewer when the configuration has fewer (the output
 * for 1, 2 and 3 CPUs is run-1cpu.expected, run-2cpus.expected and
 * run-3cpus.expected; run-expected.sh picks the file).  CPU(n) names "the
 * nth CPU" so the code stays valid for any count. */
#if NR_CPUS >= 4
# define RUN_CPUS 4
#else
# define RUN_CPUS NR_CPUS
#endif
#define CPU(n) ((n) % RUN_CPUS)

/* A silent check: a message on stderr and one more in the counter. */
#define RUN_CHECK(counter, cond) do {                                    \
		if (!(cond)) {                                           \
			fprintf(stderr, "%s:%d: check failed: %s\n",     \
				__FILE__, __LINE__, #cond);              \
			(counter)++;                                     \
		}                                                        \
	} while (0)

struct run_stats {
	long hits;
	char name[12];
	int hist[8];
};

DECLARE_PER_CPU(int, run_counter);
DECLARE_PER_CPU(struct run_stats, run_stats);
DECLARE_PER_CPU(int[16], run_array);
DECLARE_PER_CPU(unsigned long, run_shared);
DECLARE_PER_CPU(int, run_zero);

/* run-other.c: code in another unit working through per-CPU pointers. */
int other_sum_counters(void);
void other_fill(int *pcpu_int, int first);
long other_hits(struct run_stats *pcpu_stats);
void other_bump(struct run_stats *pcpu_stats);
int *other_pick(int *pcpu_array, unsigned cpu, unsigned idx);

/* run-api.c: the Linux names beyond the core; the number of failed checks. */
int run_api(void);

#endif
