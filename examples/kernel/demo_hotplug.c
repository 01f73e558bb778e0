/* demo_hotplug.c: CPU hotplug with a module loaded.  The last AP goes
 * offline: the runtime unmaps its copy of everything and gives the pages
 * back.  Then it comes online again: its copies of the kernel's and the
 * module's per-CPU data must come back from the templates (the module's
 * relocated one, which the runtime kept), and the module must run and
 * check out on every CPU. */
#include <percpu-vm/percpu.h>
#include <percpu-vm/runtime.h>

#include "demo.h"
#include "io.h"
#include "kernel.h"
#include "loader.h"
#include "percpu_setup.h"
#include "pmem.h"
#include "smp.h"

static void flush_this_cpu(void *arg)
{
	(void)arg;
	write_cr3(read_cr3());
}

DECLARE_PER_CPU(unsigned int, demo_template_word);
DECLARE_PER_CPU(unsigned long, demo_counter);

bool demo_hotplug(const void *data, size_t size, const char *name, unsigned load_flags,
		  unsigned long rounds)
{
	static struct loaded_module lm;
	struct loaded_module *m = &lm;
	char err[240];
	unsigned cpu = 0;
	for (unsigned c = 1; c < PERCPU_NR_CPUS; c++)
		if (smp_cpu_online(c))
			cpu = c;
	if (!cpu)
		return false; /* one CPU: nothing to unplug */
	if (module_load(demo_rt, data, size, name, load_flags, m, err, sizeof(err))) {
		check(false, "hotplug: %s", err);
		return true;
	}
	struct window_census c0, c1;
	window_census(&c0);
	size_t free0 = pmem_free_count();
	struct pcpu_stats st;
	pcpu_get_stats(demo_rt, &st);

	smp_set_cpu_online(cpu, false);
	int rc = pcpu_cpu_offline(demo_rt, cpu);
	window_census(&c1);
	kprintf("hotplug: CPU %u offline: %s; its slot has %u pages mapped (was %u), %zu pages "
		"given back\n",
		cpu, rc ? pcpu_strerror(rc) : "ok", c1.per_cpu[cpu], c0.per_cpu[cpu],
		pmem_free_count() - free0);
	check(rc == 0 && c1.per_cpu[cpu] == 0 && c1.total == c0.total - c0.per_cpu[cpu] &&
		      pmem_free_count() == free0 + st.mapped_offsets,
	      "hotplug: offlining CPU %u unmaps its %u pages and gives them back", cpu,
	      c0.per_cpu[cpu]);

	rc = percpu_prepare_cpu(cpu); /* pcpu_cpu_online + its identity variables */
	smp_set_cpu_online(cpu, true);
	smp_call(cpu, flush_this_cpu, NULL); /* it missed the shootdowns while offline */
	smp_wait(cpu);
	window_census(&c1);
	check(rc == 0 && c1.total == c0.total && pmem_free_count() == free0 &&
		      per_cpu(demo_template_word, cpu) == 0x5EC0FFEEu && per_cpu(demo_counter, cpu) == 0,
	      "hotplug: CPU %u online again: %u pages mapped, its kernel per-CPU data fresh from "
	      "the template", cpu, c1.per_cpu[cpu]);
	/* The module's init checks every online CPU's copy against its
	 * template: the re-onlined CPU's came from the runtime's copy of it. */
	bool ok = !m->desc->init || m->desc->init() == 0;
	if (ok)
		module_run_everywhere(m->desc, rounds);
	if (ok && m->desc->check && m->desc->check(smp_online_count(), rounds))
		ok = false;
	check(module_unload(demo_rt, m) == 0 && ok,
	      "hotplug: %s initialised, ran and checked on every CPU after CPU %u came back", name,
	      cpu);
	return true;
}
