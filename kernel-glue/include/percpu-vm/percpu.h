/* percpu-vm/percpu.h: the per-CPU API a kernel (or a hosted test) uses.
 *
 * Modern Linux names, so kernel developers already know them:
 *
 *   DEFINE_PER_CPU(type, name)   DECLARE_PER_CPU(type, name)
 *   EXPORT_PER_CPU_SYMBOL(name)  EXPORT_PER_CPU_SYMBOL_GPL(name)
 *   per_cpu(name, cpu)           per_cpu_ptr(ptr, cpu)      this_cpu_ptr(ptr)
 *   this_cpu_read/write/add/inc/dec(name)
 *   get_cpu_var(name) ... put_cpu_var(name)              __get_cpu_var(name)
 *   alloc_percpu(type)  __alloc_percpu(size, align)  free_percpu(ptr)
 *
 * Two modes, chosen as the 2006 proposal chose them:
 *   - VM mode when both CONFIG_HAS_VM_PERCPU (the kernel's choice) and
 *     __ARCH_HAS_VM_PERCPU (the arch part's promise) are defined: CPU n's
 *     copy of a variable is exactly n * PERCPU_STRIDE above CPU 0's, which is
 *     the link-time address of the variable.
 *   - the classic scheme otherwise: each CPU's copy is an ordinary memory
 *     area, at __per_cpu_offset[n] from the template in the image.
 * The same source compiles in both.
 *
 * In both modes per_cpu() is plain integer arithmetic on &var plus
 * __per_cpu_offset[cpu].  Integer, not pointer arithmetic: GCC must never
 * believe the result points into `var` itself (it would fold comparisons,
 * give __builtin_object_size 0 and make _FORTIFY_SOURCE abort, and warn
 * about array bounds).  In VM mode the runtime keeps the table equal to
 * cpu << PERCPU_SHIFT, so the plugin may replace the load by a shift, but
 * code built without the plugin is just as correct.
 *
 * Freestanding: only <stddef.h> is used.  Warning-free in C11 and gnu89
 * with -Wall -Wextra (the GNU extensions are marked __extension__).
 */
#ifndef PERCPU_VM_PERCPU_H
#define PERCPU_VM_PERCPU_H

#include <stddef.h>
#include <percpu-vm/config.h>

/* A kernel may define NR_CPUS itself (config.h only supplies a default);
 * more CPUs than the configured window holds would put CPU n's copies past
 * its end, over whatever lies there. */
#if NR_CPUS > PERCPU_NR_CPUS
#error "NR_CPUS is larger than the per-CPU window's PERCPU_NR_CPUS: configure --with-nr-cpus"
#endif

/* ---- what the compiler (and the plugin) offers ------------------------ */

#ifdef __has_attribute
# if __has_attribute(percpu)
/* The plugin's marker: it moves zero-initialised variables to .bss.percpu
 * and checks every use. */
#  define __PCPU_ATTR_PERCPU __attribute__((percpu))
# endif
# if __has_attribute(percpu_offset_table)
/* Tells the plugin that __per_cpu_offset[i] == i << PERCPU_SHIFT. */
#  define __PCPU_ATTR_OFFSET_TABLE __attribute__((percpu_offset_table(PERCPU_SHIFT)))
# endif
# if __has_attribute(percpu_this_cpu)
/* On a function returning the CPU its caller runs on: the plugin reports
 * per_cpu(var, f()) as a this-CPU access (arches whose this_cpu_*() are C). */
#  define __PCPU_ATTR_THIS_CPU __attribute__((percpu_this_cpu))
# endif
#endif
#ifndef __PCPU_ATTR_THIS_CPU
# define __PCPU_ATTR_THIS_CPU
#endif
#ifndef __PCPU_ATTR_PERCPU
# define __PCPU_ATTR_PERCPU
#endif
#ifndef __PCPU_ATTR_OFFSET_TABLE
# define __PCPU_ATTR_OFFSET_TABLE
#endif

/* Every per-CPU variable starts in .data.percpu (the linker scripts also
 * accept Linux's .data..percpu); without the plugin the zero-initialised
 * ones stay there too, which costs image bytes but nothing else. */
#define PERCPU_SECTION ".data.percpu"
#define __PCPU_ATTRS __attribute__((section(PERCPU_SECTION))) __PCPU_ATTR_PERCPU

/* Preemption hooks.  A kernel with preemption defines them before including
 * this header; the defaults do nothing (no preemption, or hosted tests where
 * each thread is pinned to its simulated CPU). */
#ifndef pcpu_preempt_disable
# define pcpu_preempt_disable() do { } while (0)
#endif
#ifndef pcpu_preempt_enable
# define pcpu_preempt_enable() do { } while (0)
#endif

/* ---- the arch part: picks this_cpu_*, smp_processor_id() -------------- */

#if defined(PERCPU_ARCH_GENERIC)
# include <percpu-vm/arch/generic.h>
#elif defined(PERCPU_ARCH_HOSTED) || defined(__x86_64__)
# include <percpu-vm/arch/hosted.h>
#elif defined(__i386__)
# include <percpu-vm/arch/i386.h>
#else
# include <percpu-vm/arch/generic.h>
#endif

#if defined(CONFIG_HAS_VM_PERCPU) && defined(__ARCH_HAS_VM_PERCPU)
# define PERCPU_VM_MODE 1
#else
# define PERCPU_VM_MODE 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- definitions ------------------------------------------------------- */

/* __typeof__(type) lets `type` be an array type: DEFINE_PER_CPU(int[16], x). */
#define DEFINE_PER_CPU(type, name) \
	__PCPU_ATTRS __typeof__(type) name
#define DECLARE_PER_CPU(type, name) \
	extern __PCPU_ATTRS __typeof__(type) name

/* Exported per-CPU symbols, for a module loader.  A kernel with its own
 * export machinery defines EXPORT_SYMBOL/EXPORT_SYMBOL_GPL first and gets
 * that; otherwise each export is a struct pcpu_symbol in the section
 * `percpu_ksymtab` (the kernel linker script brackets it with
 * __start_percpu_ksymtab / __stop_percpu_ksymtab).  The address recorded is
 * CPU 0's copy: the loader relocates a module's reference to it and the
 * module then reaches CPU n's copy through per_cpu() like the kernel does. */
struct pcpu_symbol {
	const char *name;
	void *addr;
	unsigned long gpl;
};
#if defined(EXPORT_SYMBOL) && defined(EXPORT_SYMBOL_GPL)
# define EXPORT_PER_CPU_SYMBOL(var)     EXPORT_SYMBOL(var)
# define EXPORT_PER_CPU_SYMBOL_GPL(var) EXPORT_SYMBOL_GPL(var)
#else
# define __PCPU_EXPORT(var, is_gpl)                                          \
	static const char __pcpu_symname_##var[] = #var;                      \
	__attribute__((used, section("percpu_ksymtab"), aligned(sizeof(void *)))) \
	static const struct pcpu_symbol __pcpu_symbol_##var =                 \
		{ __pcpu_symname_##var, (void *)&(var), (is_gpl) }
# define EXPORT_PER_CPU_SYMBOL(var)     __PCPU_EXPORT(var, 0)
# define EXPORT_PER_CPU_SYMBOL_GPL(var) __PCPU_EXPORT(var, 1)
#endif

/* ---- the offset table -------------------------------------------------- */

/* CPU n's copy of anything per-CPU is at (address of CPU 0's copy, i.e. the
 * link-time address) + __per_cpu_offset[n].  Defined by kernel-glue
 * (percpu_offsets.c).  VM mode: n << PERCPU_SHIFT, filled by the runtime
 * (pcpu_fill_offsets).  Classic mode: area_n - __per_cpu_start. */
#if PERCPU_VM_MODE
extern unsigned long __per_cpu_offset[NR_CPUS] __PCPU_ATTR_OFFSET_TABLE;
#else
extern unsigned long __per_cpu_offset[NR_CPUS];
#endif

/* Linker-script symbols (ldscripts/percpu.lds).  Arrays of unknown size so
 * nothing assumes an object lives there. */
extern char __per_cpu_start[], __per_cpu_end[], __per_cpu_load[];
extern char __per_cpu_data_end[];  /* end of the initialised (.data) part */

/* The static area's two parts in bytes: the template every CPU's copy
 * starts from (.data.percpu) and the zero-filled rest (.bss.percpu).
 * Computed as integers: C defines pointer subtraction only within one
 * object, and to the compiler these symbols are distinct arrays. */
#define percpu_static_init_size() \
	((size_t)((unsigned long)__per_cpu_data_end - (unsigned long)__per_cpu_start))
#define percpu_static_zero_size() \
	((size_t)((unsigned long)__per_cpu_end - (unsigned long)__per_cpu_data_end))

/* ---- access to any CPU's copy ------------------------------------------ */

/* Each argument is evaluated exactly once. */
#define per_cpu_ptr(ptr, cpu) \
	((__typeof__(ptr))((unsigned long)(ptr) + __per_cpu_offset[(cpu)]))
#define per_cpu(var, cpu) \
	(*(__typeof__(&(var)))((unsigned long)&(var) + __per_cpu_offset[(cpu)]))

/* ---- the current CPU's copy (arch supplies __pcpu_this_cpu_ptr etc.) ---- */

#define this_cpu_ptr(ptr)   __pcpu_this_cpu_ptr(ptr)
#define __get_cpu_var(var)  (*this_cpu_ptr(&(var)))

#define this_cpu_read(var)       __pcpu_this_cpu_read(var)
#define this_cpu_write(var, val) __pcpu_this_cpu_write(var, val)
#define this_cpu_add(var, val)   __pcpu_this_cpu_add(var, val)
#define this_cpu_inc(var)        __pcpu_this_cpu_inc(var)
#define this_cpu_dec(var)        __pcpu_this_cpu_dec(var)

/* The current CPU's copy as an lvalue, with preemption off until
 * put_cpu_var(). */
#define get_cpu_var(var) \
	(*(__extension__({ pcpu_preempt_disable(); this_cpu_ptr(&(var)); })))
#define put_cpu_var(var) \
	do { (void)&(var); pcpu_preempt_enable(); } while (0)

/* ---- dynamic per-CPU memory -------------------------------------------- */

/* The pointer returned stands for CPU 0's copy's address; use it only
 * through per_cpu_ptr()/this_cpu_ptr().  Every CPU's copy starts zeroed.
 * NULL when there is no room.  VM mode: an area in the window from the
 * runtime (pcpu_api_alloc).  Classic mode: a slice of the fixed reserve at
 * the end of every CPU's area (percpu-vm/classic.h). */
void *__alloc_percpu(size_t size, size_t align);
void free_percpu(void *ptr);
#define alloc_percpu(type) \
	((__typeof__(type) *)__alloc_percpu(sizeof(type), __alignof__(type)))

#ifdef __cplusplus
}
#endif

#endif /* PERCPU_VM_PERCPU_H */
