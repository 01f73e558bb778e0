/* The possible and online CPU masks behind for_each_possible_cpu(),
 * for_each_online_cpu(), nr_cpu_ids and num_*_cpus() (percpu.h), for a
 * kernel that has none of its own.
 *
 * The kernel marks a CPU possible at boot, before per-CPU set-up walks the
 * possible CPUs, and online or offline as it comes up or goes down; CPUs
 * may do that concurrently (each AP marks itself online), so the bits are
 * set and cleared atomically.  Freestanding: GCC's __atomic builtins only. */
#include <percpu-vm/percpu.h>

unsigned long __pcpu_possible_mask[__PCPU_MASK_WORDS];
unsigned long __pcpu_online_mask[__PCPU_MASK_WORDS];
unsigned int nr_cpu_ids = NR_CPUS;

static void mask_assign(unsigned long *mask, unsigned int cpu, int set)
{
	unsigned long bit = 1UL << (cpu % __PCPU_MASK_BITS);

	if (set)
		__atomic_fetch_or(&mask[cpu / __PCPU_MASK_BITS], bit, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&mask[cpu / __PCPU_MASK_BITS], ~bit, __ATOMIC_RELEASE);
}

static unsigned int mask_weight(const unsigned long *mask)
{
	unsigned int w, n = 0;

	/* (not __builtin_popcountl: without a popcnt instruction it calls
	 * libgcc, which a freestanding kernel may not link) */
	for (w = 0; w < __PCPU_MASK_WORDS; w++)
		for (unsigned long bits = __atomic_load_n(&mask[w], __ATOMIC_RELAXED); bits; bits &= bits - 1)
			n++;
	return n;
}

/* Out-of-range CPUs are ignored: there is no copy of anything for them.
 * Called at boot, one CPU at a time (nr_cpu_ids is recomputed). */
void set_cpu_possible(unsigned int cpu, int possible)
{
	unsigned int c, last = 0;

	if (cpu >= NR_CPUS)
		return;
	mask_assign(__pcpu_possible_mask, cpu, possible);
	/* nr_cpu_ids: one past the highest possible CPU, NR_CPUS while none is */
	for (c = 0; c < NR_CPUS; c++)
		if (cpu_possible(c))
			last = c + 1;
	nr_cpu_ids = last ? last : NR_CPUS;
}

void set_cpu_online(unsigned int cpu, int online)
{
	if (cpu < NR_CPUS)
		mask_assign(__pcpu_online_mask, cpu, online);
}

unsigned int num_possible_cpus(void)
{
	return mask_weight(__pcpu_possible_mask);
}

unsigned int num_online_cpus(void)
{
	return mask_weight(__pcpu_online_mask);
}
