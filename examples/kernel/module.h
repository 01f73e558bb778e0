/* module.h: what a demo module provides and may call.  A module is an ELF
 * relocatable object (`ld -r -T ldscripts/module.lds`) defining one
 * `struct demo_module demo_module`; the kernel's loader (loader.c) places
 * it, gives its per-CPU sections an area in the per-CPU window, relocates
 * it against the kernel's exports and calls these hooks. */
#ifndef DEMO_MODULE_H
#define DEMO_MODULE_H

#include <stdbool.h>
#include <stddef.h>

struct demo_module {
	const char *name;
	/* Once, on the boot CPU, after relocation.  0 or an error. */
	int (*init)(void);
	/* On every online CPU at the same time, with %fs set: the per-CPU
	 * work (this_cpu_*). */
	void (*run_on_cpu)(void *arg);
	/* On the boot CPU, after run_on_cpu finished everywhere: check each
	 * CPU's copy through per_cpu() and report with demo_check().
	 * Returns how many checks failed. */
	unsigned (*check)(unsigned nr_cpus, unsigned long rounds);
	/* Before unloading. */
	void (*exit)(void);
};
/* Its size in a module (five pointers: i386's, or x86-64's for the x86-64
 * demo, DEMO_ELF64), which the loader checks the module's `demo_module`
 * symbol has room for (also when it runs hosted). */
#ifdef DEMO_ELF64
#define DEMO_MODULE_SIZE 40u
#else
#define DEMO_MODULE_SIZE 20u
#endif

/* Kernel services a module may use (exported by ksyms.c). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void demo_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned demo_nr_cpus(void);
bool demo_cpu_online(unsigned cpu);

#endif
