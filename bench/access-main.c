/* bench/access-main.c: sets up per-CPU memory for the mode it is built
 * in, points the arch's per-CPU segment at "this CPU"'s copy, and calls
 * each operation of access-ops.c BENCH_CALLS times.  The segment: i386,
 * %fs as an LDT segment (a kernel uses a GDT one); x86-64, the GS base set
 * with arch_prctl(ARCH_SET_GS) (a kernel writes IA32_GS_BASE; the glue's
 * wrgsbase is not used here because valgrind does not run it, while it
 * does follow arch_prctl). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifdef __i386__
# include <asm/ldt.h>
#else
# include <asm/prctl.h>
#endif
#include <percpu-vm/percpu.h>
#include "access-ops.h"

#ifndef BENCH_CALLS
#define BENCH_CALLS 1000
#endif
#define THIS_CPU 1

unsigned long __per_cpu_offset[NR_CPUS];
/* Initialised per-CPU data, so the per-CPU segment has file contents:
 * valgrind reads no symbols of a program with an all-NOBITS segment at an
 * address of its own ("ELF section outside all mapped regions"). */
DEFINE_PER_CPU(unsigned int, bench_marker) = 1;
extern char __bench_percpu_start[], __bench_percpu_end[];

/* The header's i386 and x86-64 parts name these; this program needs no
 * definition of the other hooks. */
__PCPU_ATTRS unsigned int pcpu_cpu_number;
__PCPU_ATTRS unsigned long pcpu_this_cpu_off;
void *__alloc_percpu(size_t size, size_t align) { (void)size; (void)align; return NULL; }
void free_percpu(void *ptr) { (void)ptr; }

static void setup_copies(void)
{
	char *start = __bench_percpu_start;
	size_t len = (size_t)(__bench_percpu_end - __bench_percpu_start);

#if PERCPU_VM_MODE
	/* CPU n's copy n strides above the linked one. */
	if (mmap(start + PERCPU_STRIDE, (NR_CPUS - 1) * PERCPU_STRIDE,
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		 -1, 0) != start + PERCPU_STRIDE) {
		perror("bench-access: mmap of the per-CPU window");
		exit(2);
	}
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		__per_cpu_offset[cpu] = (unsigned long)cpu << PERCPU_SHIFT;
		memcpy(start + __per_cpu_offset[cpu], start, len);
	}
#else
	/* Classic: an ordinary area per CPU, the areas side by side above
	 * where a window would be.  Above the template, so the offsets are
	 * positive: an x86-64 GS base must be a user address (arch_prctl
	 * refuses one that wraps around through the kernel half).  At a fixed
	 * address, since under valgrind mmap's own choice may lie below. */
	size_t area_len = (len + 4095) & ~(size_t)4095;
	char *areas = start + (size_t)NR_CPUS * PERCPU_STRIDE;
	if (mmap(areas, NR_CPUS * area_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != areas) {
		perror("bench-access: mmap of the per-CPU areas");
		exit(2);
	}
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		char *area = areas + cpu * area_len;
		memcpy(area, start, len);
		__per_cpu_offset[cpu] = (unsigned long)(area - start);
	}
#endif
}

#ifdef __i386__
/* %fs: a flat data segment based at this CPU's offset. */
static void setup_this_cpu(unsigned cpu)
{
	struct user_desc d;
	memset(&d, 0, sizeof d);
	d.entry_number = 0;
	d.base_addr = (unsigned int)__per_cpu_offset[cpu];
	d.limit = 0xfffff;
	d.seg_32bit = 1;
	d.limit_in_pages = 1;
	d.useable = 1;
	if (syscall(SYS_modify_ldt, 1, &d, sizeof d) != 0) {
		perror("bench-access: modify_ldt");
		exit(2);
	}
	__asm__ __volatile__("movw %w0, %%fs" : : "r"(0 << 3 | 4 | 3));
}
#else
/* The GS base: this CPU's offset (glibc keeps %fs for its own use). */
static void setup_this_cpu(unsigned cpu)
{
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, __per_cpu_offset[cpu]) != 0) {
		perror("bench-access: arch_prctl(ARCH_SET_GS)");
		exit(2);
	}
}
#endif

int main(void)
{
	unsigned long sum = 0;

	setup_copies();
	setup_this_cpu(THIS_CPU);
	for (unsigned i = 0; i < BENCH_CALLS; i++) {
		add_remote(i % NR_CPUS, i);
		empty2(i % NR_CPUS, i);
		add_this(1);
		empty1(1);
		unsigned long all = sum_all();
		sum += all + empty0();
		if (sum_all_unrolled() != all) {
			fprintf(stderr, "bench-access: the unrolled sum differs\n");
			return 1;
		}
		(void)empty0();
		sum += read_remote(THIS_CPU) - read_remote(THIS_CPU);
		sum += empty1r(THIS_CPU) + empty1r(THIS_CPU);
	}
	/* Check the work was done right, so the figures are of working code:
	 * after call i the counters hold 0 + 1 + ... + i from add_remote and
	 * i + 1 from add_this. */
	unsigned long want = 0;
	for (unsigned long i = 0; i < BENCH_CALLS; i++)
		want += i * (i + 1) / 2 + i + 1;
	/* And that this_cpu_add reached this CPU's copy through the segment:
	 * it holds its share of add_remote's values and every add_this. */
	unsigned long want_this = BENCH_CALLS;
	for (unsigned long i = THIS_CPU; i < BENCH_CALLS; i += NR_CPUS)
		want_this += i;
	printf("calls %d, cpus %d, sum %lu (want %lu), cpu %d's counter %lu (want %lu)\n",
	       BENCH_CALLS, NR_CPUS, sum, want, THIS_CPU, read_remote(THIS_CPU), want_this);
	return sum == want && read_remote(THIS_CPU) == want_this ? 0 : 1;
}
