/* The x86 arch parts executed: this_cpu_*() as segment-prefixed
 * instructions (i386: %fs, x86-64: %gs), run in a user-space program that
 * plays the kernel's part.  Built -m32 by i386-fs.sh and -m64 with
 * PERCPU_ARCH_X86_64 by x86_64-gs.sh.
 *
 * "Switching to CPU n" is what the kernel glue does at boot: give the
 * segment the base __per_cpu_offset[n].  i386: Linux lets a 32-bit process
 * install a data segment of its own (set_thread_area), and glibc leaves
 * %fs alone there (it uses %gs).  x86-64: glibc uses %fs, and Linux sets a
 * process's GS base with arch_prctl(ARCH_SET_GS), or lets it run the
 * glue's own wrgsbase where it has enabled FSGSBASE (AT_HWCAP2).  Built in
 * VM mode (CPU 0's copy linked at the window's base, the other CPUs'
 * copies mapped one stride apart by this program in the runtime's stead)
 * and in classic mode (areas from the heap, pcpu_classic_setup); every
 * build must print x86-segment-run.expected. */
#define _GNU_SOURCE
#ifdef __x86_64__
# include <asm/prctl.h>
# include <sys/auxv.h>
#else
# include <asm/ldt.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <percpu-vm/percpu.h>
#include <percpu-vm/classic.h>
#include "api-ops.h"

/* four simulated CPUs, fewer when the configuration has fewer (the scripts
 * then compare the modes with each other instead of x86-segment-run.expected) */
#if NR_CPUS >= 4
# define CPUS 4
#else
# define CPUS NR_CPUS
#endif

__extension__ typedef unsigned long long u64;
DEFINE_PER_CPU(int, seg_counter) = 100;
DEFINE_PER_CPU(unsigned char, seg_byte) = 250;
DEFINE_PER_CPU(short, seg_half) = -5;
DEFINE_PER_CPU(u64, seg_wide) = 0xffffffffULL;
DEFINE_PER_CPU(void *, seg_ptr);
DEFINE_PER_CPU(int[4], seg_array) = { 7, 7, 7, 7 };
/* for the op sequence of api-ops.h, one per size */
DEFINE_PER_CPU(unsigned char, seg_op8) = 0xf0;
DEFINE_PER_CPU(short, seg_op16) = -300;
DEFINE_PER_CPU(unsigned int, seg_op32) = 0xfffffff0u;
DEFINE_PER_CPU(u64, seg_op64) = 0xfffffffeULL;

static int op_failures;

/* The sequence on this CPU's copy (the segment-prefixed instructions) against plain C
 * on a copy of its value; prints what the ops returned. */
#define SEG_OPS(tier, var, T, k, fmt)                                            \
	do {                                                                    \
		T got_[8], want_[8], model_ = this_cpu_read(var);               \
		unsigned i_;                                                    \
		API_OPS_SEQUENCE(tier, var, T, k, got_);                        \
		API_OPS_SEQUENCE(model, model_, T, k, want_);                   \
		printf("  %-10s %-6s", #tier, #var);                            \
		for (i_ = 0; i_ < 8; i_++) {                                    \
			printf(" " fmt, got_[i_]);                              \
			op_failures += got_[i_] != want_[i_];                   \
		}                                                               \
		printf(" -> " fmt "\n", this_cpu_read(var));                    \
		op_failures += this_cpu_read(var) != model_;                    \
	} while (0)

static char targets[CPUS];

#ifdef __x86_64__
# define WINDOW_BASE PERCPU_HOSTED_BASE
# define INIT_CPU pcpu_x86_64_init_cpu
#else
# define WINDOW_BASE PERCPU_BASE
# define INIT_CPU pcpu_i386_init_cpu
static int tls_entry = -1;
#endif

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

static void start_mode(void)
{
	unsigned cpu;
#if PERCPU_VM_MODE
	size_t init = percpu_static_init_size();
	size_t size = percpu_static_init_size() + percpu_static_zero_size();
	size_t len = (size + PERCPU_PAGE_SIZE - 1) & ~(PERCPU_PAGE_SIZE - 1);

	if ((unsigned long)__per_cpu_start != WINDOW_BASE) {
		fprintf(stderr, "per-CPU section at %p, not at the window's base\n", (void *)__per_cpu_start);
		exit(1);
	}
	/* CPU 0's copy is the program's own; map the others a stride apart */
	for (cpu = 1; cpu < CPUS; cpu++) {
		char *copy = (char *)__per_cpu_start + ((unsigned long)cpu << PERCPU_SHIFT);
		if (mmap(copy, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != copy)
			fail("mmap of a CPU's copy in the window");
		memcpy(copy, __per_cpu_start, init);
	}
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		__per_cpu_offset[cpu] = (unsigned long)cpu << PERCPU_SHIFT;
#else
	static void *areas[CPUS];
	size_t len = (pcpu_classic_area_size() + PERCPU_CLASSIC_AREA_ALIGN - 1) &
		     ~(size_t)(PERCPU_CLASSIC_AREA_ALIGN - 1);

	for (cpu = 0; cpu < CPUS; cpu++)
		if (!(areas[cpu] = aligned_alloc(PERCPU_CLASSIC_AREA_ALIGN, len)))
			fail("aligned_alloc");
	if (pcpu_classic_setup(areas, CPUS)) {
		fprintf(stderr, "pcpu_classic_setup failed\n");
		exit(1);
	}
#endif
	for (cpu = 0; cpu < CPUS; cpu++)
		INIT_CPU(cpu);
}

#ifdef __x86_64__
/* "Run on CPU n": GS base __per_cpu_offset[n], with the glue's wrgsbase
 * where the kernel allows it, else through Linux */
static void switch_cpu(unsigned cpu)
{
	if (getauxval(AT_HWCAP2) & 2 /* HWCAP2_FSGSBASE */)
		pcpu_x86_64_set_gs_base_fsgsbase(cpu);
	else if (syscall(SYS_arch_prctl, ARCH_SET_GS, pcpu_x86_64_gs_base(cpu)) != 0)
		fail("arch_prctl(ARCH_SET_GS)");
}

/* The kernel's base registers hold the same value. */
static int check_base_registers(void)
{
	unsigned cpu;

	for (cpu = 0; cpu < CPUS; cpu++)
		if (pcpu_x86_64_gs_base(cpu) != __per_cpu_offset[cpu]) {
			printf("GS base of cpu %u is wrong\n", cpu);
			return 1;
		}
	return 0;
}
#else
/* "Run on CPU n": %fs based at __per_cpu_offset[n], as the kernel's GDT
 * entry from pcpu_i386_fs_descriptor() would be. */
static void switch_cpu(unsigned cpu)
{
	struct user_desc d;

	memset(&d, 0, sizeof(d));
	d.entry_number = (unsigned)tls_entry;
	d.base_addr = (unsigned)__per_cpu_offset[cpu];
	d.limit = 0xfffff;
	d.seg_32bit = 1;
	d.limit_in_pages = 1;
	d.useable = 1;
	if (syscall(SYS_set_thread_area, &d) != 0)
		fail("set_thread_area");
	tls_entry = (int)d.entry_number;
	pcpu_i386_load_fs((d.entry_number << 3) | 3);
}

/* The descriptor the kernel would install encodes the same base. */
static int check_base_registers(void)
{
	unsigned cpu;

	for (cpu = 0; cpu < CPUS; cpu++) {
		u64 d = pcpu_i386_fs_descriptor(cpu);
		unsigned base = (unsigned)(((d >> 16) & 0xffffff) | ((d >> 56) << 24));
		if (base != (unsigned)__per_cpu_offset[cpu] || ((d >> 40) & 0xff) != 0x92) {
			printf("descriptor of cpu %u is wrong\n", cpu);
			return 1;
		}
	}
	return 0;
}
#endif

int main(void)
{
	unsigned cpu, seen;
	int ptr_ok = 1;

	start_mode();
	if (check_base_registers())
		return 1;

	for (cpu = 0; cpu < CPUS; cpu++) {
		switch_cpu(cpu);
		seen = smp_processor_id();
		this_cpu_add(seg_counter, (int)cpu * 10);
		this_cpu_inc(seg_counter);
		this_cpu_dec(seg_half);
		this_cpu_add(seg_half, 1000);
		this_cpu_add(seg_byte, (int)cpu + 3);      /* 1-byte wrap-around */
		this_cpu_inc(seg_wide);                     /* carry into the high word */
		this_cpu_add(seg_wide, (u64)cpu << 32);
		this_cpu_write(seg_wide, this_cpu_read(seg_wide) * 2);
		this_cpu_dec(seg_wide);
		this_cpu_write(seg_ptr, &targets[cpu]);
		this_cpu_ptr(&seg_array[0])[cpu] = (int)seen * 11;
		ptr_ok &= this_cpu_ptr(&seg_counter) == per_cpu_ptr(&seg_counter, cpu);
		if (seen != cpu)
			printf("cpu %u: smp_processor_id() says %u\n", cpu, seen);
	}
	for (cpu = 0; cpu < CPUS; cpu++)
		printf("cpu %u: counter %d half %d byte %u wide %#llx ptr %s array %d %d %d %d\n", cpu,
		       per_cpu(seg_counter, cpu), per_cpu(seg_half, cpu), per_cpu(seg_byte, cpu),
		       per_cpu(seg_wide, cpu), per_cpu(seg_ptr, cpu) == &targets[cpu] ? "ok" : "WRONG",
		       per_cpu(seg_array, cpu)[0], per_cpu(seg_array, cpu)[1],
		       per_cpu(seg_array, cpu)[2], per_cpu(seg_array, cpu)[3]);
	printf("this_cpu_ptr equals per_cpu_ptr on every CPU: %s\n", ptr_ok ? "yes" : "no");

	/* every value-changing op, three tiers, four sizes, on each CPU's
	 * copy through the segment; what they return and leave, against plain C */
	for (cpu = 0; cpu < CPUS; cpu++) {
		switch_cpu(cpu);
		printf("cpu %u ops (add_return xchg cmpxchg-fail cmpxchg inc_return dec_return read read -> copy):\n", cpu);
		SEG_OPS(this_cpu, seg_op8, unsigned char, cpu, "%u");
		SEG_OPS(__this_cpu, seg_op16, short, cpu, "%d");
		SEG_OPS(raw_cpu, seg_op32, unsigned int, cpu, "%#x");
		SEG_OPS(this_cpu, seg_op64, u64, cpu, "%#llx");
		SEG_OPS(raw_cpu, seg_op64, u64, cpu + 1, "%#llx");
	}
	printf("ops as plain C computes them: %s\n", op_failures ? "no" : "yes");
	/* back on CPU 2, a read sees CPU 2's copy only */
	switch_cpu(2 % CPUS);
	printf("on cpu 2: this_cpu_read(seg_counter) %d, smp_processor_id() %u\n",
	       this_cpu_read(seg_counter), smp_processor_id());
	return op_failures != 0;
}
