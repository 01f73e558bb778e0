/* percpu-vm/percpu.h: the per-CPU API a kernel (or a hosted test) uses.
 *
 * Modern Linux names, so kernel developers already know them:
 *
 *   DEFINE_PER_CPU(type, name)   DECLARE_PER_CPU(type, name)
 *   DEFINE_PER_CPU_{ALIGNED,SHARED_ALIGNED,PAGE_ALIGNED,READ_MOSTLY} (and DECLARE_)
 *   EXPORT_PER_CPU_SYMBOL(name)  EXPORT_PER_CPU_SYMBOL_GPL(name)     __percpu
 *   per_cpu(name, cpu)           per_cpu_ptr(ptr, cpu)      this_cpu_ptr(ptr)
 *   this_cpu_read/write/add/sub/inc/dec/and/or/xchg/cmpxchg(name, ...)
 *   this_cpu_add_return/inc_return/dec_return(name, ...)
 *   the same as __this_cpu_*() and raw_cpu_*() (no preemption protection)
 *   get_cpu_var(name) ... put_cpu_var(name)              __get_cpu_var(name)
 *   get_cpu() ... put_cpu()      smp_processor_id()
 *   for_each_possible_cpu(cpu)   for_each_online_cpu(cpu)   nr_cpu_ids
 *   num_possible_cpus()  num_online_cpus()  cpu_possible(cpu)  cpu_online(cpu)
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
 * per_cpu(var, f()) as a this-CPU access (arches whose this_cpu_*() are C).
 * On the per-CPU variable holding the CPU's offset (i386): an asm reading
 * it and taking a pointer is this_cpu_ptr() of the pointer's object. */
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
 * ones stay there too, which costs image bytes but nothing else.  The
 * placed variants add a suffix (DEFINE_PER_CPU_SECTION below): the linker
 * scripts take every .data.percpu.* into the per-CPU section, and the
 * plugin moves only plain .data.percpu ones to .bss.percpu, so a placed
 * variable stays where its name puts it. */
#define PERCPU_SECTION ".data.percpu"
#define __PCPU_ATTRS_IN(suffix) \
	__attribute__((section(PERCPU_SECTION suffix))) __PCPU_ATTR_PERCPU
#define __PCPU_ATTRS __PCPU_ATTRS_IN("")

/* Sparse's address-space marker for pointers to per-CPU data: to GCC and
 * clang it means nothing, so code written for Linux (`int __percpu *p`)
 * compiles unchanged. */
#ifndef __percpu
# define __percpu
#endif

/* The cache line the *_ALIGNED variants align to (x86's); a kernel for
 * another line size defines it first. */
#ifndef PERCPU_CACHELINE_SIZE
# define PERCPU_CACHELINE_SIZE 64
#endif

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

/* Which one is never a guess that could differ from the kernel's target.
 * A PERCPU_ARCH_* macro names it (pkg-config's kernel_x86_64_cflags passes
 * PERCPU_ARCH_X86_64); without one, the compiler's target decides where it
 * can only mean one thing: i386 is the i386 part, x86-64 with
 * -mcmodel=kernel the x86-64 kernel part, x86-64 user space (a hosted
 * compiler, no kernel code model, no __KERNEL__) the hosted runtime's.  An
 * x86-64 freestanding or __KERNEL__ build that names none is an error: it
 * must never get the hosted part, whose this_cpu_*() call into the hosted
 * runtime, by accident.  Anything else is generic (classic only). */
#if defined(PERCPU_ARCH_GENERIC) + defined(PERCPU_ARCH_HOSTED) + \
	defined(PERCPU_ARCH_I386) + defined(PERCPU_ARCH_X86_64) > 1
# error "percpu-vm: more than one of PERCPU_ARCH_GENERIC, PERCPU_ARCH_HOSTED, PERCPU_ARCH_I386, PERCPU_ARCH_X86_64 is defined: define one"
#elif defined(PERCPU_ARCH_GENERIC)
# include <percpu-vm/arch/generic.h>
#elif defined(PERCPU_ARCH_HOSTED)
# if !defined(__x86_64__)
#  error "percpu-vm: PERCPU_ARCH_HOSTED is the x86-64 user-space runtime's arch part, but the target is not x86-64"
# endif
# include <percpu-vm/arch/hosted.h>
#elif defined(PERCPU_ARCH_X86_64)
# if !defined(__x86_64__)
#  error "percpu-vm: PERCPU_ARCH_X86_64 is defined, but the target is not x86-64 (-m64)"
# endif
# include <percpu-vm/arch/x86_64.h>
#elif defined(PERCPU_ARCH_I386)
# if !defined(__i386__)
#  error "percpu-vm: PERCPU_ARCH_I386 is defined, but the target is not i386 (-m32)"
# endif
# include <percpu-vm/arch/i386.h>
#elif defined(__i386__)
# include <percpu-vm/arch/i386.h>
#elif defined(__x86_64__) && defined(__code_model_kernel__)
# include <percpu-vm/arch/x86_64.h>
#elif defined(__x86_64__) && (!__STDC_HOSTED__ || defined(__KERNEL__))
# error "percpu-vm: an x86-64 kernel build must name its arch part: define PERCPU_ARCH_X86_64 (the %gs kernel part; pkg-config --variable=kernel_x86_64_cflags percpu-vm) or, for a user-space test of the hosted runtime, PERCPU_ARCH_HOSTED"
#elif defined(__x86_64__)
# include <percpu-vm/arch/hosted.h>
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
#define DEFINE_PER_CPU_SECTION(type, name, suffix) \
	__PCPU_ATTRS_IN(suffix) __typeof__(type) name
#define DECLARE_PER_CPU_SECTION(type, name, suffix) \
	extern __PCPU_ATTRS_IN(suffix) __typeof__(type) name
#define DEFINE_PER_CPU(type, name)  DEFINE_PER_CPU_SECTION(type, name, "")
#define DECLARE_PER_CPU(type, name) DECLARE_PER_CPU_SECTION(type, name, "")

/* Placed variants, Linux's names.  Each has a section of its own, which the
 * linker scripts place (docs/linking.md):
 *   .data.percpu.page_aligned   first in every CPU's copy, so the copy's
 *                               page alignment is the object's and the
 *                               padding is not in the middle;
 *   .data.percpu.read_mostly    next, together, away from written data;
 *   .data.percpu.shared_aligned a cache line of its own (data other CPUs
 *                               read often); ALIGNED shares the section,
 *                               as in Linux on SMP.
 * The alignment goes on the declaration too, so every unit knows it. */
#define __PCPU_CACHELINE_ALIGNED __attribute__((aligned(PERCPU_CACHELINE_SIZE)))
#define __PCPU_PAGE_ALIGNED      __attribute__((aligned(PERCPU_PAGE_SIZE)))
#define DEFINE_PER_CPU_SHARED_ALIGNED(type, name) \
	DEFINE_PER_CPU_SECTION(type, name, ".shared_aligned") __PCPU_CACHELINE_ALIGNED
#define DECLARE_PER_CPU_SHARED_ALIGNED(type, name) \
	DECLARE_PER_CPU_SECTION(type, name, ".shared_aligned") __PCPU_CACHELINE_ALIGNED
#define DEFINE_PER_CPU_ALIGNED(type, name) DEFINE_PER_CPU_SHARED_ALIGNED(type, name)
#define DECLARE_PER_CPU_ALIGNED(type, name) DECLARE_PER_CPU_SHARED_ALIGNED(type, name)
#define DEFINE_PER_CPU_PAGE_ALIGNED(type, name) \
	DEFINE_PER_CPU_SECTION(type, name, ".page_aligned") __PCPU_PAGE_ALIGNED
#define DECLARE_PER_CPU_PAGE_ALIGNED(type, name) \
	DECLARE_PER_CPU_SECTION(type, name, ".page_aligned") __PCPU_PAGE_ALIGNED
#define DEFINE_PER_CPU_READ_MOSTLY(type, name) \
	DEFINE_PER_CPU_SECTION(type, name, ".read_mostly")
#define DECLARE_PER_CPU_READ_MOSTLY(type, name) \
	DECLARE_PER_CPU_SECTION(type, name, ".read_mostly")

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

/* Each argument is evaluated exactly once.  __pcpu_ptr_type(ptr) is the
 * type `ptr` decays to: `1 ? a : a` turns an array into a pointer to its
 * first element (per_cpu_ptr(array, cpu), per_cpu_ptr(s.member_array, cpu)
 * are pointers to elements, as in Linux) and leaves a pointer as it is,
 * `void *` included.  The CPU is promoted (`+`): a `char` CPU is a valid
 * index, and -Wchar-subscripts must not warn about the header. */
#define __pcpu_ptr_type(ptr) __typeof__(1 ? (ptr) : (ptr))
#define __pcpu_cpu_offset(cpu) (__per_cpu_offset[+(cpu)])
/* per_cpu_ptr() computes the address in a statement of its own: as one
 * cast expression, `per_cpu_ptr(array, cpu)[3]` would be folded by the
 * front end into `table[cpu] + (&array + 12)`, and the plugin could no
 * longer tell whose copy the site reaches. */
#define per_cpu_ptr(ptr, cpu)                                              \
	(__extension__({                                                   \
		unsigned long __pcpu_addr =                                \
			(unsigned long)(ptr) + __pcpu_cpu_offset(cpu);     \
		(__pcpu_ptr_type(ptr))__pcpu_addr;                         \
	}))
#define per_cpu(var, cpu) \
	(*(__typeof__(&(var)))((unsigned long)&(var) + __pcpu_cpu_offset(cpu)))

/* ---- the current CPU's copy (arch supplies __pcpu_this_cpu_ptr etc.) ---- */

#define this_cpu_ptr(ptr)   __pcpu_this_cpu_ptr(ptr)
#define raw_cpu_ptr(ptr)    __pcpu_this_cpu_ptr(ptr)
#define __get_cpu_var(var)  (*this_cpu_ptr(&(var)))

/* Three tiers, as in Linux.  this_cpu_*() are safe anywhere: atomic with
 * respect to preemption and local interrupts (i386: one instruction;
 * generic: preemption off around C).  __this_cpu_*() and raw_cpu_*() leave
 * that to the caller (preemption already off); where the arch's ops are
 * safe anyway (i386, hosted) the tiers are the same code.  The *_return,
 * xchg and cmpxchg ops yield a value of the variable's type: add_return
 * the new value, xchg and cmpxchg the old one (cmpxchg stores `nval` only
 * when the old value equals `oval`). */
#ifndef __PCPU_ARCH_HAS_RAW_OPS
# define __pcpu_raw_cpu_read        __pcpu_this_cpu_read
# define __pcpu_raw_cpu_write       __pcpu_this_cpu_write
# define __pcpu_raw_cpu_add         __pcpu_this_cpu_add
# define __pcpu_raw_cpu_sub         __pcpu_this_cpu_sub
# define __pcpu_raw_cpu_inc         __pcpu_this_cpu_inc
# define __pcpu_raw_cpu_dec         __pcpu_this_cpu_dec
# define __pcpu_raw_cpu_and         __pcpu_this_cpu_and
# define __pcpu_raw_cpu_or          __pcpu_this_cpu_or
# define __pcpu_raw_cpu_xchg        __pcpu_this_cpu_xchg
# define __pcpu_raw_cpu_cmpxchg     __pcpu_this_cpu_cmpxchg
# define __pcpu_raw_cpu_add_return  __pcpu_this_cpu_add_return
#endif

#define this_cpu_read(var)                   __pcpu_this_cpu_read(var)
#define this_cpu_write(var, val)             __pcpu_this_cpu_write(var, val)
#define this_cpu_add(var, val)               __pcpu_this_cpu_add(var, val)
#define this_cpu_sub(var, val)               __pcpu_this_cpu_sub(var, val)
#define this_cpu_inc(var)                    __pcpu_this_cpu_inc(var)
#define this_cpu_dec(var)                    __pcpu_this_cpu_dec(var)
#define this_cpu_and(var, val)               __pcpu_this_cpu_and(var, val)
#define this_cpu_or(var, val)                __pcpu_this_cpu_or(var, val)
#define this_cpu_xchg(var, nval)             __pcpu_this_cpu_xchg(var, nval)
#define this_cpu_cmpxchg(var, oval, nval)    __pcpu_this_cpu_cmpxchg(var, oval, nval)
#define this_cpu_add_return(var, val)        __pcpu_this_cpu_add_return(var, val)
#define this_cpu_inc_return(var)             __pcpu_this_cpu_add_return(var, 1)
#define this_cpu_dec_return(var)             __pcpu_this_cpu_add_return(var, -1)

#define __this_cpu_read(var)                 __pcpu_raw_cpu_read(var)
#define __this_cpu_write(var, val)           __pcpu_raw_cpu_write(var, val)
#define __this_cpu_add(var, val)             __pcpu_raw_cpu_add(var, val)
#define __this_cpu_sub(var, val)             __pcpu_raw_cpu_sub(var, val)
#define __this_cpu_inc(var)                  __pcpu_raw_cpu_inc(var)
#define __this_cpu_dec(var)                  __pcpu_raw_cpu_dec(var)
#define __this_cpu_and(var, val)             __pcpu_raw_cpu_and(var, val)
#define __this_cpu_or(var, val)              __pcpu_raw_cpu_or(var, val)
#define __this_cpu_xchg(var, nval)           __pcpu_raw_cpu_xchg(var, nval)
#define __this_cpu_cmpxchg(var, oval, nval)  __pcpu_raw_cpu_cmpxchg(var, oval, nval)
#define __this_cpu_add_return(var, val)      __pcpu_raw_cpu_add_return(var, val)
#define __this_cpu_inc_return(var)           __pcpu_raw_cpu_add_return(var, 1)
#define __this_cpu_dec_return(var)           __pcpu_raw_cpu_add_return(var, -1)

#define raw_cpu_read(var)                    __pcpu_raw_cpu_read(var)
#define raw_cpu_write(var, val)              __pcpu_raw_cpu_write(var, val)
#define raw_cpu_add(var, val)                __pcpu_raw_cpu_add(var, val)
#define raw_cpu_sub(var, val)                __pcpu_raw_cpu_sub(var, val)
#define raw_cpu_inc(var)                     __pcpu_raw_cpu_inc(var)
#define raw_cpu_dec(var)                     __pcpu_raw_cpu_dec(var)
#define raw_cpu_and(var, val)                __pcpu_raw_cpu_and(var, val)
#define raw_cpu_or(var, val)                 __pcpu_raw_cpu_or(var, val)
#define raw_cpu_xchg(var, nval)              __pcpu_raw_cpu_xchg(var, nval)
#define raw_cpu_cmpxchg(var, oval, nval)     __pcpu_raw_cpu_cmpxchg(var, oval, nval)
#define raw_cpu_add_return(var, val)         __pcpu_raw_cpu_add_return(var, val)
#define raw_cpu_inc_return(var)              __pcpu_raw_cpu_add_return(var, 1)
#define raw_cpu_dec_return(var)              __pcpu_raw_cpu_add_return(var, -1)

/* The current CPU's copy as an lvalue, with preemption off until
 * put_cpu_var(). */
#define get_cpu_var(var) \
	(*(__extension__({ pcpu_preempt_disable(); this_cpu_ptr(&(var)); })))
#define put_cpu_var(var) \
	do { (void)&(var); pcpu_preempt_enable(); } while (0)

/* This CPU's number with preemption off until put_cpu(). */
#define get_cpu() \
	(__extension__({ pcpu_preempt_disable(); smp_processor_id(); }))
#define put_cpu() pcpu_preempt_enable()

/* ---- which CPUs exist --------------------------------------------------- */

/* A CPU is possible when it has (or may get) a copy of the per-CPU data,
 * online while it runs.  By default the masks are kernel-glue's
 * (percpu_cpumask.c): the kernel marks each CPU with set_cpu_possible() at
 * boot, before per-CPU set-up walks them, and set_cpu_online() as it comes
 * up or goes down.  nr_cpu_ids is one more than the highest possible CPU
 * (NR_CPUS until one is marked).  A kernel that keeps masks of its own
 * defines cpu_possible(cpu) and cpu_online(cpu) as macros before including
 * this header instead (nr_cpu_ids and num_*_cpus() then default to NR_CPUS
 * and a count unless it defines them too), and the glue's are not used. */
#ifndef cpu_possible
# define __PCPU_GLUE_CPUMASK 1
# define __PCPU_MASK_BITS (8 * sizeof(unsigned long))
# define __PCPU_MASK_WORDS ((NR_CPUS + __PCPU_MASK_BITS - 1) / __PCPU_MASK_BITS)
extern unsigned long __pcpu_possible_mask[__PCPU_MASK_WORDS];
extern unsigned long __pcpu_online_mask[__PCPU_MASK_WORDS];
extern unsigned int nr_cpu_ids;
void set_cpu_possible(unsigned int cpu, int possible);
void set_cpu_online(unsigned int cpu, int online);
unsigned int num_possible_cpus(void);
unsigned int num_online_cpus(void);
/* (set_cpu_online() may run on another CPU at the same time: an atomic
 * load of the word, and `cpu` evaluated once) */
# define __pcpu_mask_test(mask, cpu)                                       \
	(__extension__({                                                   \
		unsigned int __pcpu_t = (cpu);                             \
		__pcpu_t < NR_CPUS &&                                      \
		((__atomic_load_n(&(mask)[__pcpu_t / __PCPU_MASK_BITS],    \
				  __ATOMIC_RELAXED) >>                     \
		  (__pcpu_t % __PCPU_MASK_BITS)) & 1);                     \
	}))
# define cpu_possible(cpu) __pcpu_mask_test(__pcpu_possible_mask, cpu)
# define cpu_online(cpu)   __pcpu_mask_test(__pcpu_online_mask, cpu)
#endif
#ifndef nr_cpu_ids
# ifndef __PCPU_GLUE_CPUMASK
#  define nr_cpu_ids ((unsigned int)NR_CPUS)
# endif
#endif

/* `cpu` may be signed or unsigned (the comparison is made unsigned, so
 * -Wsign-compare stays quiet either way); break and continue work as in
 * any for loop. */
#define __pcpu_for_each_cpu_if(cpu, test)                                  \
	for ((cpu) = 0; (unsigned int)(cpu) < nr_cpu_ids; (cpu)++)          \
		if (!test(cpu)) { } else
#define for_each_possible_cpu(cpu) __pcpu_for_each_cpu_if(cpu, cpu_possible)
#define for_each_online_cpu(cpu)   __pcpu_for_each_cpu_if(cpu, cpu_online)
#ifndef __PCPU_GLUE_CPUMASK
# ifndef num_possible_cpus
#  define num_possible_cpus() __pcpu_count_cpus(cpu_possible)
# endif
# ifndef num_online_cpus
#  define num_online_cpus() __pcpu_count_cpus(cpu_online)
# endif
# define __pcpu_count_cpus(test)                                           \
	(__extension__({                                                   \
		unsigned int __pcpu_c, __pcpu_n = 0;                       \
		__pcpu_for_each_cpu_if(__pcpu_c, test)                     \
			__pcpu_n++;                                        \
		__pcpu_n;                                                  \
	}))
#endif

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
