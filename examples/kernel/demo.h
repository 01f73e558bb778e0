/* demo.h: the demo's parts, each in a file of its own, run in order by
 * main.c. */
#ifndef DEMO_DEMO_H
#define DEMO_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct multiboot_info;

/* report.c: what is mapped, by walking the page tables, against the
 * runtime's bookkeeping. */
struct window_census {
	unsigned per_cpu[64];   /* pages mapped in each of the first 64 CPUs' slots */
	unsigned total;         /* pages mapped in the whole window */
	unsigned online_cpus;
};
void window_census(struct window_census *c);
/* Prints the per-CPU page counts and checks them against the runtime. */
void report_window(const char *when);
/* The first byte past the highest live area, page aligned (offset in the
 * stride): everything from there to the stride's end must be unmapped. */
size_t window_used_end(void);

/* demo_run.c: what both kernels run once their CPUs are up, then the
 * summary and the result; does not return. */
void demo_run(const struct multiboot_info *mbi, unsigned long iterations, unsigned long rounds,
	      unsigned long loops, size_t static_size) __attribute__((noreturn));
/* demo_counters.c */
void demo_counters(unsigned long iterations);
/* demo_dynamic.c */
void demo_dynamic(void);
/* demo_security.c */
void demo_security(void);
/* demo_modules.c */
void demo_modules(const struct multiboot_info *mbi, unsigned long rounds, unsigned long loops);
/* Modules loaded and unloaded cleanly, refused, and loop cycles run. */
void demo_modules_counts(unsigned *loaded, unsigned *refused, unsigned long *cycles);
struct demo_module;
/* Run the module's run_on_cpu hook on every online CPU at once. */
void module_run_everywhere(const struct demo_module *d, unsigned long rounds);
/* demo_hotplug.c: false when there is only one CPU (nothing was done). */
bool demo_hotplug(const void *data, size_t size, const char *name, unsigned load_flags,
		  unsigned long rounds);

#endif
