/* zero_mod.c: a module with only zero-initialised per-CPU data (in
 * .bss.percpu: no template bytes), several pages of it, one of them page
 * aligned, and a dynamic per-CPU allocation made in its init and freed in
 * its exit. */
#include <percpu-vm/percpu.h>

#include "module.h"

#define ZM_BUF 6000

struct zm_stats {
	unsigned long runs;
	unsigned long sum;
};

struct zm_page {
	unsigned long words[1024];
} __attribute__((aligned(4096)));

DEFINE_PER_CPU(unsigned char[ZM_BUF], zm_buf);
DEFINE_PER_CPU(struct zm_stats, zm_stats);
/* Page aligned: the module's area is then page aligned in every slot. */
DEFINE_PER_CPU(struct zm_page, zm_page);

static unsigned long *zm_dyn;

static int zm_init(void)
{
	unsigned bad = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!demo_cpu_online(cpu))
			continue;
		const unsigned char *b = per_cpu(zm_buf, cpu);
		for (unsigned i = 0; i < ZM_BUF; i++)
			bad += b[i] != 0;
		bad += per_cpu(zm_stats, cpu).runs != 0;
		bad += per_cpu(zm_page, cpu).words[1023] != 0;
		bad += ((unsigned long)per_cpu_ptr(&zm_page, cpu) & 4095) != 0;
	}
	zm_dyn = alloc_percpu(unsigned long);
	demo_check(bad == 0 && zm_dyn != 0,
		   "zero_mod: every CPU's copy of its .bss.percpu (a %u-byte buffer, a page-aligned "
		   "page) is zero; alloc_percpu() from a module = %p", ZM_BUF, (void *)zm_dyn);
	return zm_dyn ? 0 : -1;
}

static void zm_run(void *arg)
{
	unsigned cpu = this_cpu_read(pcpu_cpu_number);
	unsigned char *b = *this_cpu_ptr(&zm_buf);
	(void)arg;
	for (unsigned i = 0; i < ZM_BUF; i++)
		b[i] = (unsigned char)(cpu + 1);
	this_cpu_inc(zm_stats.runs);
	this_cpu_write(zm_page.words[1023], cpu + 100);
	this_cpu_add(zm_stats.sum, cpu + 1);
	*this_cpu_ptr(zm_dyn) += cpu + 7;
}

static unsigned zm_check(unsigned nr_cpus, unsigned long rounds)
{
	unsigned bad = 0, seen = 0;
	(void)rounds;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!demo_cpu_online(cpu))
			continue;
		seen++;
		const unsigned char *b = per_cpu(zm_buf, cpu);
		if (b[0] != cpu + 1 || b[ZM_BUF - 1] != cpu + 1 || per_cpu(zm_stats, cpu).runs != 1 ||
		    per_cpu(zm_stats, cpu).sum != cpu + 1 || *per_cpu_ptr(zm_dyn, cpu) != cpu + 7 ||
		    per_cpu(zm_page, cpu).words[1023] != cpu + 100)
			bad++;
	}
	demo_check(bad == 0 && seen == nr_cpus,
		   "zero_mod: %u CPUs each filled their own copy of the buffer, stats, page and dynamic area",
		   seen);
	return bad;
}

static void zm_exit(void)
{
	free_percpu(zm_dyn);
	zm_dyn = 0;
}

struct demo_module demo_module = {
	.name = "zero_mod",
	.init = zm_init,
	.run_on_cpu = zm_run,
	.check = zm_check,
	.exit = zm_exit,
};
