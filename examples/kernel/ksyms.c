/* ksyms.c: what the kernel exports to modules.  Ordinary symbols are the
 * table below; per-CPU ones are EXPORT_PER_CPU_SYMBOL()s anywhere in the
 * kernel, gathered by the linker in the section percpu_ksymtab.  A module's
 * reference to a per-CPU export is relocated to CPU 0's copy, like any
 * per-CPU symbol. */
#include <percpu-vm/percpu.h>

#include "kernel.h"
#include "ksyms.h"
#include "module.h"

struct ksym {
	const char *name;
	const void *addr;
};


#define KSYM(s) { #s, (const void *)&s }
static const struct ksym ksyms[] = {
	KSYM(kprintf),
	KSYM(demo_check),
	KSYM(demo_nr_cpus),
	KSYM(demo_cpu_online),
	KSYM(memcpy),
	KSYM(memset),
	KSYM(__per_cpu_offset),
	KSYM(__alloc_percpu),
	KSYM(free_percpu),
};

/* The identity variables this_cpu_ptr() and smp_processor_id() read. */
EXPORT_PER_CPU_SYMBOL(pcpu_cpu_number);
EXPORT_PER_CPU_SYMBOL(pcpu_this_cpu_off);

extern const struct pcpu_symbol __start_percpu_ksymtab[], __stop_percpu_ksymtab[];

bool ksym_lookup(const char *name, uintptr_t *addr, bool *percpu)
{
	for (unsigned i = 0; i < ARRAY_SIZE(ksyms); i++) {
		if (!strcmp(ksyms[i].name, name)) {
			*addr = (uintptr_t)ksyms[i].addr;
			*percpu = false;
			return true;
		}
	}
	for (unsigned i = 0, n = ksym_percpu_count(); i < n; i++) {
		const struct pcpu_symbol *p = &__start_percpu_ksymtab[i];
		if (!strcmp(p->name, name)) {
			*addr = (uintptr_t)p->addr;
			*percpu = true;
			return true;
		}
	}
	return false;
}

unsigned ksym_count(void)
{
	return ARRAY_SIZE(ksyms) + ksym_percpu_count();
}

unsigned ksym_percpu_count(void)
{
	return (unsigned)(SYM_DISTANCE(__stop_percpu_ksymtab, __start_percpu_ksymtab) /
			  sizeof(struct pcpu_symbol));
}

/* A per-CPU counter modules may bump (counter_mod does): a per-CPU export. */
DEFINE_PER_CPU(unsigned long, demo_module_ticks);
EXPORT_PER_CPU_SYMBOL(demo_module_ticks);
