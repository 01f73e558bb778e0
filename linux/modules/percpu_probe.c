// SPDX-License-Identifier: GPL-2.0
/*
 * percpu_probe.c: what a module sees of the kernel's per-CPU data and of
 * alloc_percpu() (issue 12's first test point), on the kernel it was
 * built against.
 *
 * Kernel per-CPU variables: x86 exports cpu_number (CPU n's copy is n)
 * and this_cpu_off (CPU n's copy is __per_cpu_offset[n], the value of its
 * %fs base on i386, %gs base on x86-64).  Each online CPU reads its own
 * copies through this_cpu_read and this_cpu_ptr; one CPU then reads every
 * possible CPU's through per_cpu and checks both against each other and
 * against the offsets:
 *  - vm: __per_cpu_offset[n] == PERCPU_VM_OFFSET(n) (n << PERCPU_VM_SHIFT,
 *    plus the window's base on zero-based x86-64), and every copy is at
 *    CPU 0's + n * stride with CPU 0's in the window (percpu_test.h);
 *  - stock: the offsets are those of the embedded first chunk, whose
 *    units lie back to back: CPU n's copy is at CPU 0's + n * unit, the
 *    unit being __per_cpu_offset[1] - __per_cpu_offset[0].  The line
 *    prints that unit as the stride; /init compares it with the boot's
 *    "percpu: Embedded ... u<unit>".
 * The probe's own per-CPU counter (module data): each online CPU
 * increments its copy once (this_cpu_inc); every online CPU's copy is
 * then 1 and every other possible CPU's 0, one stride apart on vm.
 * Dynamic per-CPU data: a few __alloc_percpu() sizes and alignments, all
 * held at once: each is aligned on every possible CPU, zeroed, one stride
 * between copies on vm; every CPU's copy of every area takes a pattern of
 * its own and all read back intact (no two copies overlap); all are freed.
 * It prints "percpu_probe: ok ..." or "percpu_probe: FAIL what" and fails.
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/cpumask.h>
#include <linux/threads.h>
#include <linux/string.h>
#include <linux/log2.h>

#include "percpu_test.h"

/* Each CPU's own view (each CPU writes only its own slot). */
struct probe_seen {
	bool ran;
	int cpu_number;			/* this_cpu_read(cpu_number) */
	unsigned long this_cpu_off;	/* this_cpu_read(this_cpu_off) */
	void *own_copy;			/* this_cpu_ptr(&cpu_number) */
};
static struct probe_seen probe_seen[NR_CPUS];
static DEFINE_PER_CPU(unsigned int, probe_hits);

static void probe_on_cpu(void *unused)
{
	struct probe_seen *s = &probe_seen[smp_processor_id()];

	s->cpu_number = this_cpu_read(cpu_number);
	s->this_cpu_off = this_cpu_read(this_cpu_off);
	s->own_copy = this_cpu_ptr(&cpu_number);
	this_cpu_inc(probe_hits);
	s->ran = true;
}

/* The copies' distance: the stride on vm, the first chunk's unit on stock. */
static unsigned long probe_stride(void)
{
#if IS_ENABLED(CONFIG_HAS_VM_PERCPU)
	return PERCPU_VM_STRIDE;
#else
	return num_possible_cpus() > 1 ? per_cpu_offset(1) - per_cpu_offset(0) : 0;
#endif
}

static bool probe_static(unsigned long stride)
{
	char *cpu0 = (char *)per_cpu_ptr(&cpu_number, 0);
	unsigned int cpu;

	if (!percpu_test_vm_addresses("cpu_number", &cpu_number) ||
	    !percpu_test_vm_addresses("this_cpu_off", &this_cpu_off) ||
	    !percpu_test_vm_addresses("probe_hits", &probe_hits))
		return false;
	for_each_possible_cpu(cpu) {
		const struct probe_seen *s = &probe_seen[cpu];
		char *copy = (char *)per_cpu_ptr(&cpu_number, cpu);

#if IS_ENABLED(CONFIG_HAS_VM_PERCPU)
		if (per_cpu_offset(cpu) != PERCPU_VM_OFFSET(cpu)) {
			percpu_test_fail("__per_cpu_offset[%u] is %#lx, expected %#lx + (%u << %d)",
					 cpu, per_cpu_offset(cpu), PERCPU_VM_CPU0_OFFSET,
					 cpu, ilog2(stride));
			return false;
		}
#endif
		if (copy != cpu0 + (unsigned long)cpu * stride) {
			percpu_test_fail("CPU %u's cpu_number at %px, CPU 0's at %px: not %u * %lu apart",
					 cpu, copy, cpu0, cpu, stride);
			return false;
		}
		if (per_cpu(cpu_number, cpu) != cpu) {
			percpu_test_fail("per_cpu(cpu_number, %u) is %d", cpu, per_cpu(cpu_number, cpu));
			return false;
		}
		if (per_cpu(this_cpu_off, cpu) != per_cpu_offset(cpu)) {
			percpu_test_fail("per_cpu(this_cpu_off, %u) is %#lx, __per_cpu_offset[%u] %#lx",
					 cpu, per_cpu(this_cpu_off, cpu), cpu, per_cpu_offset(cpu));
			return false;
		}
		if (per_cpu(probe_hits, cpu) != (cpu_online(cpu) ? 1 : 0)) {
			percpu_test_fail("CPU %u's probe_hits is %u after this_cpu_inc on each online CPU",
					 cpu, per_cpu(probe_hits, cpu));
			return false;
		}
		if (!cpu_online(cpu))
			continue;
		if (!s->ran) {
			percpu_test_fail("CPU %u is online but did not run the check", cpu);
			return false;
		}
		if (s->cpu_number != cpu || s->this_cpu_off != per_cpu_offset(cpu) ||
		    s->own_copy != copy) {
			percpu_test_fail("CPU %u read cpu_number %d, this_cpu_off %#lx, its copy at %px through this_cpu_*; per_cpu says %u, %#lx, %px",
					 cpu, s->cpu_number, s->this_cpu_off, s->own_copy,
					 cpu, per_cpu_offset(cpu), copy);
			return false;
		}
	}
	return true;
}

static const struct { size_t size, align; } probe_sizes[] = {
	{ 4, 4 }, { 24, 8 }, { 100, 16 }, { 1000, 64 }, { 3000, PAGE_SIZE },
};
#define PROBE_AREAS ARRAY_SIZE(probe_sizes)

static u8 probe_byte(unsigned int area, unsigned int cpu, size_t i)
{
	return (u8)(0x40 + area * 16 + cpu * 3 + i);
}

static bool probe_dynamic_checks(void __percpu **p)
{
	unsigned int a, cpu;
	size_t i;

	for (a = 0; a < PROBE_AREAS; a++) {
		for_each_possible_cpu(cpu) {
			u8 *copy = per_cpu_ptr(p[a], cpu);

			if (!IS_ALIGNED((unsigned long)copy, probe_sizes[a].align)) {
				percpu_test_fail("alloc_percpu(%zu, %zu): CPU %u's copy at %px is not aligned",
						 probe_sizes[a].size, probe_sizes[a].align, cpu, copy);
				return false;
			}
			if (memchr_inv(copy, 0, probe_sizes[a].size)) {
				percpu_test_fail("alloc_percpu(%zu, %zu): CPU %u's copy at %px is not zeroed",
						 probe_sizes[a].size, probe_sizes[a].align, cpu, copy);
				return false;
			}
		}
		if (!percpu_test_vm_addresses("an alloc_percpu() area", p[a]))
			return false;
	}
	for (a = 0; a < PROBE_AREAS; a++)
		for_each_possible_cpu(cpu)
			for (i = 0; i < probe_sizes[a].size; i++)
				((u8 *)per_cpu_ptr(p[a], cpu))[i] = probe_byte(a, cpu, i);
	for (a = 0; a < PROBE_AREAS; a++)
		for_each_possible_cpu(cpu)
			for (i = 0; i < probe_sizes[a].size; i++)
				if (((u8 *)per_cpu_ptr(p[a], cpu))[i] != probe_byte(a, cpu, i)) {
					percpu_test_fail("alloc_percpu(%zu, %zu): CPU %u's byte %zu was overwritten: two copies overlap",
							 probe_sizes[a].size, probe_sizes[a].align, cpu, i);
					return false;
				}
	return true;
}

static bool probe_dynamic(void **first)
{
	void __percpu *p[PROBE_AREAS] = { NULL };
	unsigned int a;
	bool ok = true;

	for (a = 0; a < PROBE_AREAS && ok; a++) {
		p[a] = __alloc_percpu(probe_sizes[a].size, probe_sizes[a].align);
		if (!p[a]) {
			percpu_test_fail("alloc_percpu(%zu, %zu) returned NULL",
					 probe_sizes[a].size, probe_sizes[a].align);
			ok = false;
		}
	}
	if (ok)
		ok = probe_dynamic_checks(p);
	*first = p[0] ? per_cpu_ptr(p[0], 0) : NULL;
	for (a = 0; a < PROBE_AREAS; a++)
		free_percpu(p[a]);
	return ok;
}

static int __init probe_init(void)
{
	unsigned long stride = probe_stride();
	void *first;

	on_each_cpu(probe_on_cpu, NULL, 1);
	if (!probe_static(stride) || !probe_dynamic(&first))
		return -EINVAL;
	pr_info("percpu_probe: ok stride %lu, CPU 0's cpu_number at %px, CPU 0's copy of the first alloc_percpu() area at %px, %u CPUs, %zu dynamic areas freed\n",
		stride, per_cpu_ptr(&cpu_number, 0), first, num_online_cpus(), PROBE_AREAS);
	return 0;
}

static void __exit probe_exit(void)
{
}

module_init(probe_init);
module_exit(probe_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("percpu-vm test: kernel per-CPU variables and alloc_percpu() seen from a module");
