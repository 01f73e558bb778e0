/* noplugin_mod.c: a module compiled WITHOUT the plugin (see
 * examples/Makefile.inc).  Its per_cpu() loads __per_cpu_offset[cpu] from
 * the kernel's exported table instead of shifting, its zero-initialised
 * per-CPU variable stays in .data.percpu, and it has no .note.percpu; it
 * must still load and work, because the runtime keeps the table equal to
 * cpu << PERCPU_SHIFT. */
#include <percpu-vm/percpu.h>

#include "module.h"

#if defined(__has_attribute)
#if __has_attribute(percpu)
#error "noplugin_mod.c must be built without the percpu plugin"
#endif
#endif

DEFINE_PER_CPU(unsigned long, np_hits) = 5;
DEFINE_PER_CPU(unsigned long, np_zero);

static void np_run(void *arg)
{
	unsigned long rounds = (unsigned long)arg;
	for (unsigned long i = 0; i < rounds; i++)
		this_cpu_inc(np_hits);
	this_cpu_write(np_zero, this_cpu_read(pcpu_cpu_number) + 1);
}

static unsigned np_check(unsigned nr_cpus, unsigned long rounds)
{
	unsigned bad = 0, seen = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!demo_cpu_online(cpu))
			continue;
		seen++;
		if (per_cpu(np_hits, cpu) != 5 + rounds || per_cpu(np_zero, cpu) != cpu + 1)
			bad++;
	}
	demo_check(bad == 0 && seen == nr_cpus,
		   "noplugin_mod: built without the plugin, %u CPUs counted in their own copies "
		   "(per_cpu() through __per_cpu_offset[])",
		   seen);
	return bad;
}

struct demo_module demo_module = {
	.name = "noplugin_mod",
	.run_on_cpu = np_run,
	.check = np_check,
};
