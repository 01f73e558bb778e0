/* SPDX-License-Identifier: GPL-2.0 */
/*
 * percpu_test.h: what the percpu-vm test modules (percpu_mix.c,
 * percpu_probe.c) check of a per-CPU address, and how they say it.
 *
 * On the vm kernel (CONFIG_HAS_VM_PERCPU) every per-CPU address, static,
 * module or alloc_percpu(), is CPU 0's copy inside the window's first
 * stride, and CPU n's copy is exactly n strides above it (one shift for
 * every kind of per-CPU address, docs/linux.md).  The stock
 * kernel has no such rule to check: its copies are wherever the chunk's
 * units are, and each module says what it checks there instead.
 *
 * A failed check prints "MODULE: FAIL what" (the line /init looks for)
 * and the module's init returns -EINVAL, so insmod fails too.
 */
#ifndef PERCPU_TEST_H
#define PERCPU_TEST_H

#include <linux/kernel.h>
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/percpu-vm.h>

#define percpu_test_fail(fmt, ...) \
	pr_err("%s: FAIL " fmt "\n", KBUILD_MODNAME, ##__VA_ARGS__)

#if IS_ENABLED(CONFIG_HAS_VM_PERCPU)
/*
 * The window's stride ends in a guard page nothing is ever placed in
 * (the runtime's PERCPU_GUARD_SIZE, /proc/percpu_vm's "guard 4096").
 */
#define PERCPU_TEST_GUARD	PAGE_SIZE

/*
 * CPU 0's copy of WHAT (the per-CPU pointer P itself where the per-CPU
 * data is linked at the window, i386; P plus the window's base where it is
 * zero-based, x86-64) lies in [base, base + stride - guard) and every
 * possible CPU's copy is that + cpu * stride.  False after printing the
 * FAIL line.
 */
static inline bool percpu_test_vm_addresses(const char *what, const void __percpu *p)
{
	unsigned long a = (unsigned long)p + PERCPU_VM_CPU0_OFFSET;
	unsigned int cpu;

	if (a < PERCPU_VM_BASE || a >= PERCPU_VM_BASE + PERCPU_VM_STRIDE - PERCPU_TEST_GUARD) {
		percpu_test_fail("%s at %#lx, outside the window's first stride %#lx-%#lx",
				 what, a, PERCPU_VM_BASE,
				 PERCPU_VM_BASE + PERCPU_VM_STRIDE - PERCPU_TEST_GUARD - 1);
		return false;
	}
	for_each_possible_cpu(cpu) {
		unsigned long want = a + (unsigned long)cpu * PERCPU_VM_STRIDE;
		unsigned long got = (unsigned long)per_cpu_ptr(p, cpu);

		if (got != want) {
			percpu_test_fail("%s: CPU %u's copy at %#lx, expected %#lx (%#lx + %u << %d)",
					 what, cpu, got, want, a, cpu, PERCPU_VM_SHIFT);
			return false;
		}
	}
	return true;
}
#else
static inline bool percpu_test_vm_addresses(const char *what, const void __percpu *p)
{
	return true;
}
#endif

#endif /* PERCPU_TEST_H */
