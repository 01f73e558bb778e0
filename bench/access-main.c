/* bench/access-main.c: sets up per-CPU memory for the mode it is built
 * in, points %fs at "this CPU"'s copy (an LDT segment, as a kernel uses a
 * GDT one), and calls each operation of access-ops.c BENCH_CALLS times. */
#include <asm/ldt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <percpu-vm/percpu.h>

#define OP __attribute__((regparm(3)))
OP unsigned long sum_all(void);
OP unsigned long sum_all_unrolled(void);
OP unsigned long read_remote(unsigned int cpu);
OP unsigned long empty1r(unsigned int cpu);
OP void add_remote(unsigned int cpu, unsigned long v);
OP void add_this(unsigned long v);
OP unsigned long empty0(void);
OP void empty1(unsigned long v);
OP void empty2(unsigned int cpu, unsigned long v);

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

/* The header's i386 part names these; this program needs no definition of
 * the other hooks. */
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
	/* Classic: an ordinary area per CPU, anywhere. */
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		char *area = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);
		if (!area) {
			perror("bench-access: area");
			exit(2);
		}
		memcpy(area, start, len);
		__per_cpu_offset[cpu] = (unsigned long)(area - start);
	}
#endif
}

/* %fs: a flat data segment based at this CPU's offset. */
static void setup_fs(unsigned cpu)
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

int main(void)
{
	unsigned long sum = 0;

	setup_copies();
	setup_fs(THIS_CPU);
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
	printf("calls %d, cpus %d, sum %lu (want %lu)\n", BENCH_CALLS, NR_CPUS, sum, want);
	return sum == want ? 0 : 1;
}
