/* The hosted run test: the percpu.h API on the hosted runtime with several
 * simulated CPUs.  Built twice from this same source, in VM mode (the
 * per-CPU window at PERCPU_HOSTED_BASE, the real runtime mapping it) and in
 * classic mode (per-CPU areas copied from the image); both binaries must
 * print exactly run.expected.  Mode-specific layout facts are checked
 * silently (exit status), so the printed output stays mode-independent.
 *
 * Built with -Wall -Wextra -Warray-bounds=2 -Wstringop-overflow -Werror and
 * -D_FORTIFY_SOURCE=2: it writes, memsets and copies other CPUs' copies and
 * compares per-CPU pointers, which must neither warn nor abort. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <percpu-vm/classic.h>
#include <percpu-vm/hosted.h>
#include "run-common.h"

DEFINE_PER_CPU(int, run_counter) = 10;
DEFINE_PER_CPU(struct run_stats, run_stats) = { 5, "tmpl", { 1, 2, 3 } };
DEFINE_PER_CPU(int[16], run_array);
DEFINE_PER_CPU(unsigned long, run_shared);
EXPORT_PER_CPU_SYMBOL(run_counter);

#define ATOMIC_ROUNDS 20000

static int failures;
#define CHECK(cond) RUN_CHECK(failures, cond)

static void start_mode(void)
{
#if PERCPU_VM_MODE
	char err[256];
	int rc = pcpu_hosted_vm_start(RUN_CPUS, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
#else
	static void *areas[RUN_CPUS];
	unsigned cpu;
	int rc;

	for (cpu = 0; cpu < RUN_CPUS; cpu++) {
		areas[cpu] = aligned_alloc(PERCPU_CLASSIC_AREA_ALIGN,
					   (pcpu_classic_area_size() + PERCPU_CLASSIC_AREA_ALIGN - 1) &
					   ~(size_t)(PERCPU_CLASSIC_AREA_ALIGN - 1));
		if (!areas[cpu]) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
	}
	rc = pcpu_classic_setup(areas, RUN_CPUS);
	if (rc) {
		fprintf(stderr, "pcpu_classic_setup: error %d\n", rc);
		exit(1);
	}
#endif
}

/* Where CPU n's copy must be, in each mode (silent checks). */
static void check_layout(void)
{
	unsigned cpu;

	for (cpu = 0; cpu < RUN_CPUS; cpu++) {
		uintptr_t addr = (uintptr_t)per_cpu_ptr(&run_counter, cpu);
#if PERCPU_VM_MODE
		CHECK(addr == (uintptr_t)&run_counter + ((uintptr_t)cpu << PERCPU_SHIFT));
		CHECK(__per_cpu_offset[cpu] == (unsigned long)cpu << PERCPU_SHIFT);
		CHECK((uintptr_t)&run_counter >= (uintptr_t)PERCPU_HOSTED_BASE);
#else
		CHECK(addr == (uintptr_t)&run_counter + __per_cpu_offset[cpu]);
		CHECK(cpu == 0 || __per_cpu_offset[cpu] != __per_cpu_offset[0]);
#endif
	}
}

static unsigned calls;
static unsigned next_cpu(void)
{
	return calls++ % RUN_CPUS;
}

struct worker {
	pthread_t thread;
	unsigned cpu;
};

/* Every thread is one simulated CPU: it bumps its own counter with this_cpu
 * ops and every CPU's shared counter with atomics on per-CPU lvalues. */
static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned cpu, i;

	pcpu_hosted_set_cpu(w->cpu);
	for (i = 0; i < ATOMIC_ROUNDS; i++) {
		this_cpu_inc(run_counter);
		for (cpu = 0; cpu < RUN_CPUS; cpu++)
			__atomic_fetch_add(&per_cpu(run_shared, cpu), 1, __ATOMIC_RELAXED);
	}
	this_cpu_add(run_counter, -ATOMIC_ROUNDS);
	return NULL;
}

int main(void)
{
	struct worker workers[RUN_CPUS];
	struct run_stats *dyn;
	int *vec, *again;
	unsigned cpu, i;
	int n;

	start_mode();
	check_layout();

	printf("static template on every CPU:\n");
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		printf("  cpu %u: counter %d, stats %ld '%s' hist[2] %d, array[5] %d, zero %d\n", cpu,
		       per_cpu(run_counter, cpu), per_cpu(run_stats, cpu).hits,
		       per_cpu(run_stats, cpu).name, per_cpu(run_stats, cpu).hist[2],
		       per_cpu(run_array, cpu)[5], per_cpu(run_zero, cpu));

	/* this_cpu ops on each simulated CPU */
	for (cpu = 0; cpu < RUN_CPUS; cpu++) {
		pcpu_hosted_set_cpu(cpu);
		this_cpu_add(run_counter, (int)cpu * 100);
		this_cpu_inc(run_counter);
		this_cpu_dec(run_zero);
		this_cpu_write(run_shared, 0);
		__get_cpu_var(run_stats).hits += this_cpu_read(run_counter);
		get_cpu_var(run_array)[cpu] = (int)cpu + 1;
		put_cpu_var(run_array);
		other_bump(&run_stats);
	}
	printf("after this_cpu ops:\n");
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		printf("  cpu %u: counter %d, zero %d, hits %ld, array[%u] %d, hist[%u] %d\n", cpu,
		       per_cpu(run_counter, cpu), per_cpu(run_zero, cpu), per_cpu(run_stats, cpu).hits,
		       cpu, per_cpu(run_array, cpu)[cpu], cpu, per_cpu(run_stats, cpu).hist[cpu]);
	printf("sum of counters (other unit): %d\n", other_sum_counters());
	printf("total hits (other unit): %ld\n", other_hits(&run_stats));

	/* pointers to per-CPU data passed across units */
	other_fill(&run_array[7], 70);
	printf("array[7] per CPU:");
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		printf(" %d", per_cpu(run_array, cpu)[7]);
	printf("\n");
	printf("other_pick(&run_array[0], 2, 7) is &per_cpu(run_array, 2)[7]: %s\n",
	       other_pick(&run_array[0], CPU(2), 7) == &per_cpu(run_array, CPU(2))[7] ? "yes" : "no");

	/* a CPU argument with side effects is evaluated once */
	calls = 0;
	per_cpu(run_counter, next_cpu()) += 5;   /* cpu 0 */
	*per_cpu_ptr(&run_zero, next_cpu()) = 9; /* cpu 1 */
	n = per_cpu(run_array, next_cpu())[2];   /* cpu 2 */
	printf("side effects: %u calls, counter[0] %d, zero[1] %d, array[2][2] %d\n", calls,
	       per_cpu(run_counter, 0), per_cpu(run_zero, CPU(1)), n);

	/* other CPUs' copies written, memset, copied; pointers compared */
	for (cpu = 1; cpu < RUN_CPUS; cpu++) {
		memset(per_cpu_ptr(&run_stats, cpu), 0, sizeof(struct run_stats));
		snprintf(per_cpu(run_stats, cpu).name, sizeof(per_cpu(run_stats, cpu).name), "cpu%u", cpu);
		memset(per_cpu(run_array, cpu), 0xff, sizeof(per_cpu(run_array, cpu)));
	}
	/* to the last CPU, which is CPU 0 itself only when it is the only one
	 * (CPU(3) would be CPU 0 with three CPUs too: an overlapping copy) */
#if RUN_CPUS > 1
	memcpy(&per_cpu(run_stats, RUN_CPUS - 1).hist, &per_cpu(run_stats, 0).hist,
	       sizeof(per_cpu(run_stats, 0).hist));
#endif
	printf("names:");
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		printf(" %s", per_cpu(run_stats, cpu).name);
	printf("; hist[2] of cpu 3 copied from cpu 0: %d; array[9] of cpu 2: %d\n",
	       per_cpu(run_stats, RUN_CPUS - 1).hist[2], per_cpu(run_array, CPU(2))[9]);
	printf("object size of another CPU's copy known to be too small: %s\n",
	       __builtin_object_size(per_cpu_ptr(&run_stats, CPU(2)), 0) != (size_t)-1 &&
	       __builtin_object_size(per_cpu_ptr(&run_stats, CPU(2)), 0) < sizeof(struct run_stats) ? "yes" : "no");
	n = 0;
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		for (i = cpu + 1; i < RUN_CPUS; i++)
			n += per_cpu_ptr(&run_stats, cpu) == per_cpu_ptr(&run_stats, i);
	printf("equal per-CPU pointers among distinct CPUs: %d\n", n);
	printf("per_cpu_ptr(&run_stats, 1) == &per_cpu(run_stats, 1): %s\n",
	       per_cpu_ptr(&run_stats, CPU(1)) == &per_cpu(run_stats, CPU(1)) ? "yes" : "no");
	printf("&per_cpu(run_stats, 2).hits == &per_cpu_ptr(&run_stats, 2)->hits: %s\n",
	       &per_cpu(run_stats, CPU(2)).hits == &per_cpu_ptr(&run_stats, CPU(2))->hits ? "yes" : "no");

	/* dynamic allocations */
	dyn = alloc_percpu(struct run_stats);
	vec = __alloc_percpu(64 * sizeof(int), 64);
	CHECK(dyn != NULL && vec != NULL);
	if (!dyn || !vec)
		return 1;
	n = 0;
	for (cpu = 0; cpu < RUN_CPUS; cpu++) {
		const unsigned char *b = (const unsigned char *)per_cpu_ptr(dyn, cpu);
		for (i = 0; i < sizeof(*dyn); i++)
			n += b[i] != 0;
		n += ((uintptr_t)per_cpu_ptr(vec, cpu) % 64) != 0;
	}
	printf("dynamic: nonzero or misaligned bytes: %d\n", n);
	for (cpu = 0; cpu < RUN_CPUS; cpu++) {
		pcpu_hosted_set_cpu(cpu);
		this_cpu_ptr(dyn)->hits = 11 * (long)cpu;
		for (i = 0; i < 64; i++)
			this_cpu_ptr(vec)[i] = (int)(cpu * 64 + i);
		other_bump(dyn);
	}
	n = 0;
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		n += per_cpu_ptr(vec, cpu)[63];
	printf("dynamic: hits %ld, sum of vec[63] %d\n", other_hits(dyn), n);
	free_percpu(vec);
	again = alloc_percpu(int);
	CHECK(again != NULL);
	if (!again)
		return 1;
	n = 0;
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		n += *per_cpu_ptr(again, cpu);
	printf("dynamic: a new allocation after a free is zero everywhere: %s\n", n == 0 ? "yes" : "no");
	free_percpu(again);
	free_percpu(dyn);

	/* threads, one per simulated CPU: this_cpu ops and atomics */
	for (cpu = 0; cpu < RUN_CPUS; cpu++) {
		workers[cpu].cpu = cpu;
		if (pthread_create(&workers[cpu].thread, NULL, work, &workers[cpu])) {
			fprintf(stderr, "pthread_create failed\n");
			return 1;
		}
	}
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		pthread_join(workers[cpu].thread, NULL);
	printf("threads: shared per CPU:");
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		printf(" %lu", per_cpu(run_shared, cpu));
	printf("; counters:");
	for (cpu = 0; cpu < RUN_CPUS; cpu++)
		printf(" %d", per_cpu(run_counter, cpu));
	printf("\n");

	n = run_api();
	failures += n;
	printf("Linux-style API (CPU masks, get_cpu, placed definitions, array pointers, "
	       "this_cpu ops in three tiers) as plain C computes it: %s\n", n ? "no" : "yes");

	check_layout();
#if PERCPU_VM_MODE
	pcpu_hosted_vm_stop();
#endif
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	return failures != 0;
}
