/* The Linux per-CPU names beyond the core, run in the hosted run programs
 * (VM and classic mode, with and without the plugin; run-main.c calls
 * run_api()): the CPU masks and their iterators, get_cpu()/put_cpu(),
 * the placed definitions (alignment, every CPU's copy), per_cpu_ptr() and
 * this_cpu_ptr() of arrays and array members, a char CPU, and every this_cpu
 * op in its three tiers on 1, 2, 4 and 8-byte variables, each checked
 * against plain C (api-ops.h).  Silent; returns the number of failed
 * checks, which it reports on stderr. */
#include <stdint.h>
#include <stdio.h>

#include <percpu-vm/hosted.h>
#include "run-common.h"
#include "api-ops.h"

__extension__ typedef unsigned long long api_u64;
__extension__ typedef long long api_s64;

struct api_hist {
	int count;
	int bucket[6];
};

DEFINE_PER_CPU(unsigned char, api_u8) = 0xf0;
DEFINE_PER_CPU(short, api_s16) = -300;
DEFINE_PER_CPU(unsigned int, api_u32) = 0xfffffff0u;
DEFINE_PER_CPU(api_u64, api_u64v) = 0xfffffffeULL;
DEFINE_PER_CPU(api_s64, api_s64v) = -2;
DEFINE_PER_CPU(struct api_hist, api_hist);
DEFINE_PER_CPU(long[5], api_longs);
DEFINE_PER_CPU(void *, api_ptr);
DEFINE_PER_CPU_ALIGNED(int, api_aligned) = 1;
DEFINE_PER_CPU_SHARED_ALIGNED(struct api_hist, api_shared) = { 2, { 0 } };
DEFINE_PER_CPU_PAGE_ALIGNED(char[100], api_page) = "page";
DEFINE_PER_CPU_READ_MOSTLY(int, api_mostly) = 3;
DECLARE_PER_CPU_ALIGNED(int, api_aligned);
DECLARE_PER_CPU_SHARED_ALIGNED(struct api_hist, api_shared);
DECLARE_PER_CPU_PAGE_ALIGNED(char[100], api_page);
DECLARE_PER_CPU_READ_MOSTLY(int, api_mostly);

static int failures;
#define API_CHECK(cond) RUN_CHECK(failures, cond)

static void check_masks(void)
{
	unsigned int cpu, n = 0, seen = 0;
	int scpu;

	for (cpu = 0; cpu < RUN_CPUS; cpu++) {
		set_cpu_possible(cpu, 1);
		set_cpu_online(cpu, 1);
	}
	set_cpu_possible(NR_CPUS, 1);          /* out of range: ignored */
	API_CHECK(nr_cpu_ids == RUN_CPUS);
	API_CHECK(num_possible_cpus() == RUN_CPUS && num_online_cpus() == RUN_CPUS);
	for_each_possible_cpu(cpu) {
		API_CHECK(cpu == n);
		n++;
	}
	API_CHECK(n == RUN_CPUS);
	/* the last CPU goes offline: the online walk skips it, a signed
	 * iterator works too */
	set_cpu_online(RUN_CPUS - 1, 0);
	API_CHECK(!cpu_online(RUN_CPUS - 1) && cpu_possible(RUN_CPUS - 1));
	API_CHECK(num_online_cpus() == RUN_CPUS - 1);
	for_each_online_cpu(scpu)
		seen |= 1u << scpu;
	API_CHECK(seen == (1u << (RUN_CPUS - 1)) - 1);
	set_cpu_online(RUN_CPUS - 1, 1);
	API_CHECK(!cpu_possible(NR_CPUS) && !cpu_online(-1));
}

static void check_placed(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		uintptr_t page = (uintptr_t)per_cpu_ptr(&api_page, cpu);
		API_CHECK(page % PERCPU_PAGE_SIZE == 0);
		API_CHECK((uintptr_t)&per_cpu(api_aligned, cpu) % PERCPU_CACHELINE_SIZE == 0);
		API_CHECK((uintptr_t)&per_cpu(api_shared, cpu) % PERCPU_CACHELINE_SIZE == 0);
		API_CHECK(per_cpu(api_aligned, cpu) == 1 && per_cpu(api_shared, cpu).count == 2);
		API_CHECK(per_cpu(api_page, cpu)[0] == 'p' && per_cpu(api_mostly, cpu) == 3);
	}
	/* first in the per-CPU section, as the linker scripts place it */
	API_CHECK((uintptr_t)&api_page == (uintptr_t)__per_cpu_start);
}

static void check_pointers(void)
{
	unsigned int cpu;
	char c;

	for_each_possible_cpu(cpu) {
		int *bucket = per_cpu_ptr(api_hist.bucket, cpu);   /* array member */
		long *l = per_cpu_ptr(api_longs, cpu);             /* array */
		long __percpu *first = api_longs;

		API_CHECK(bucket == &per_cpu(api_hist, cpu).bucket[0]);
		API_CHECK(l == &per_cpu(api_longs, cpu)[0] && per_cpu_ptr(first, cpu) == l);
		API_CHECK(per_cpu_ptr(&api_longs, cpu) == &per_cpu(api_longs, cpu));
		pcpu_hosted_set_cpu(cpu);
		this_cpu_ptr(api_hist.bucket)[cpu % 6] = (int)cpu + 40;
		this_cpu_ptr(api_longs)[4] = (long)cpu * 3;
		raw_cpu_ptr(&api_hist)->count = (int)cpu;
	}
	for (c = 0; c < RUN_CPUS; c++) {                  /* a char CPU */
		API_CHECK(per_cpu(api_hist, c).bucket[c % 6] == c + 40);
		API_CHECK(per_cpu_ptr(api_longs, c)[4] == c * 3);
		API_CHECK(per_cpu_ptr(&api_hist, c)->count == c);
	}
}

static void check_get_cpu(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		unsigned int got;
		pcpu_hosted_set_cpu(cpu);
		got = get_cpu();
		API_CHECK(got == cpu && got == smp_processor_id());
		per_cpu(api_longs, got)[0] = 100 + got;
		put_cpu();
		API_CHECK(per_cpu(api_longs, cpu)[0] == (long)(100 + cpu));
	}
}

/* The op sequence on this CPU's copy against the model, starting from the
 * copy's current value; then the copy must equal the model. */
#define API_OPS_AGAINST_MODEL(tier, var, T, k)                                  \
	do {                                                                    \
		T got_[8], want_[8], model_ = this_cpu_read(var);               \
		unsigned i_;                                                    \
		API_OPS_SEQUENCE(tier, var, T, k, got_);                        \
		API_OPS_SEQUENCE(model, model_, T, k, want_);                   \
		for (i_ = 0; i_ < 8; i_++)                                      \
			API_CHECK(got_[i_] == want_[i_]);                       \
		API_CHECK(this_cpu_read(var) == model_);                        \
	} while (0)

#define API_OPS_ALL_SIZES(tier, k)                                              \
	do {                                                                    \
		API_OPS_AGAINST_MODEL(tier, api_u8, unsigned char, k);          \
		API_OPS_AGAINST_MODEL(tier, api_s16, short, k);                 \
		API_OPS_AGAINST_MODEL(tier, api_u32, unsigned int, k);          \
		API_OPS_AGAINST_MODEL(tier, api_u64v, api_u64, k);              \
		API_OPS_AGAINST_MODEL(tier, api_s64v, api_s64, k);              \
	} while (0)

static void check_ops(void)
{
	unsigned int cpu;
	void *old;

	for_each_possible_cpu(cpu) {
		unsigned int other;

		/* the CPUs not run yet still hold the template: each op
		 * changed its own CPU's copy only */
		for (other = cpu + 1; other < nr_cpu_ids; other++)
			API_CHECK(per_cpu(api_u64v, other) == 0xfffffffeULL &&
				  per_cpu(api_u8, other) == 0xf0);
		pcpu_hosted_set_cpu(cpu);
		API_OPS_ALL_SIZES(this_cpu, cpu);
		API_OPS_ALL_SIZES(__this_cpu, cpu + 1);
		API_OPS_ALL_SIZES(raw_cpu, cpu + 2);
		old = this_cpu_xchg(api_ptr, (void *)&api_ptr);
		API_CHECK(old == NULL);
		API_CHECK(this_cpu_cmpxchg(api_ptr, (void *)&api_ptr, NULL) == (void *)&api_ptr);
		API_CHECK(this_cpu_read(api_ptr) == NULL);
	}
}

int run_api(void);
int run_api(void)
{
	check_masks();
	check_placed();
	check_pointers();
	check_get_cpu();
	check_ops();
	pcpu_hosted_set_cpu(0);
	return failures;
}
