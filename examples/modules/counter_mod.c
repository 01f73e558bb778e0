/* counter_mod.c: a module with initialised per-CPU data.  Its template
 * holds values and a pointer (a relocation inside .data.percpu, applied to
 * the template before the copies are refreshed); every CPU counts in its
 * own copy and in a per-CPU variable the kernel exports. */
#include <percpu-vm/percpu.h>

#include "module.h"

DEFINE_PER_CPU(unsigned long, cm_hits) = 100;
DEFINE_PER_CPU(unsigned long, cm_twice);
DEFINE_PER_CPU(const char *, cm_label) = "counter_mod";
DEFINE_PER_CPU(unsigned int, cm_last_cpu) = 0xFFFFFFFFu;

/* The kernel's per-CPU export (ksyms.c). */
DECLARE_PER_CPU(unsigned long, demo_module_ticks);

static unsigned long ticks_at_init[NR_CPUS];

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int cm_init(void)
{
	unsigned bad = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!demo_cpu_online(cpu))
			continue;
		if (per_cpu(cm_hits, cpu) != 100 || per_cpu(cm_twice, cpu) != 0 ||
		    !streq(per_cpu(cm_label, cpu), "counter_mod") || per_cpu(cm_last_cpu, cpu) != 0xFFFFFFFFu)
			bad++;
		ticks_at_init[cpu] = per_cpu(demo_module_ticks, cpu);
	}
	demo_check(bad == 0, "counter_mod: every CPU's copy starts from the template (100, 0, "
			     "\"counter_mod\" through a relocated pointer)");
	return 0;
}

static void cm_run(void *arg)
{
	unsigned long rounds = (unsigned long)arg;
	for (unsigned long i = 0; i < rounds; i++) {
		this_cpu_inc(cm_hits);
		this_cpu_add(cm_twice, 2);
		this_cpu_inc(demo_module_ticks);
	}
	this_cpu_write(cm_last_cpu, this_cpu_read(pcpu_cpu_number));
}

static unsigned cm_check(unsigned nr_cpus, unsigned long rounds)
{
	unsigned bad = 0, seen = 0;
	unsigned long sum = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!demo_cpu_online(cpu))
			continue;
		seen++;
		sum += per_cpu(cm_hits, cpu) - 100;
		if (per_cpu(cm_hits, cpu) != 100 + rounds || per_cpu(cm_twice, cpu) != 2 * rounds ||
		    per_cpu(cm_last_cpu, cpu) != cpu ||
		    per_cpu(demo_module_ticks, cpu) - ticks_at_init[cpu] != rounds)
			bad++;
	}
	demo_check(bad == 0 && seen == nr_cpus && sum == rounds * nr_cpus,
		   "counter_mod: %u CPUs counted %lu each in the module's per-CPU data and in the "
		   "kernel's exported demo_module_ticks (sum %lu)",
		   seen, rounds, sum);
	return bad;
}

struct demo_module demo_module = {
	.name = "counter_mod",
	.init = cm_init,
	.run_on_cpu = cm_run,
	.check = cm_check,
};
