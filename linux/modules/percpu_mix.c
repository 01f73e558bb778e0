// SPDX-License-Identifier: GPL-2.0
/*
 * percpu_mix.c: one module of the per-CPU "module mix" (issue 12).  The
 * build (linux/scripts/build-modules.sh) compiles this one source into
 * every module of the mix, each under its own name and with
 *
 *   -DPCPU_MIX_SIZE=N    bytes of static per-CPU data (16..8184)
 *   -DPCPU_MIX_INDEX=I   the module's index (0..255), which seeds its template
 *
 * Half of the data (rounded down to words) is initialised with a template
 * that names the module and the word, the rest is zero-initialised.  The
 * module's init, on the kernel it was built against:
 *  1. every possible CPU's copy holds the template and the zeroes (per_cpu);
 *  2. it writes every CPU's copy through per_cpu, a value naming the CPU;
 *  3. on each online CPU, that CPU reads its own copy (this_cpu_read,
 *     this_cpu_ptr), finds its own values, and writes them
 *     (this_cpu_write, this_cpu_add);
 *  4. back on one CPU, each online CPU's copy holds what that CPU wrote,
 *     each other possible CPU's what step 2 wrote;
 *  5. vm kernel: both variables' copies are one stride apart and CPU 0's
 *     is in the window (percpu_test.h).
 * It prints "NAME: ok ..." with the size and CPU 0's address, or
 * "NAME: FAIL what" and fails to load.
 *
 * The wrong-stride module is this source too, built for another stride
 * (percpu_foreign_shift.h).
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/cpumask.h>
#include <linux/threads.h>

#include "percpu_test.h"

#if !defined(PCPU_MIX_SIZE) || !defined(PCPU_MIX_INDEX)
#error "build with -DPCPU_MIX_SIZE=bytes -DPCPU_MIX_INDEX=n (linux/scripts/build-modules.sh)"
#endif
#if PCPU_MIX_SIZE < 16 || PCPU_MIX_SIZE > 8184 || PCPU_MIX_INDEX < 0 || PCPU_MIX_INDEX > 255
#error "PCPU_MIX_SIZE must be 16..8184 and PCPU_MIX_INDEX 0..255"
#endif

#define MIX_INIT_WORDS	(PCPU_MIX_SIZE / 8)
#define MIX_ZERO_BYTES	(PCPU_MIX_SIZE - 4 * MIX_INIT_WORDS)

/* The template: word k of module I.  k < 1024, so each word is distinct. */
#define MIX_WORD(k)	(0xa5000000u | ((u32)PCPU_MIX_INDEX << 16) | (u32)(k))
/* What step 2 writes into CPU c's copy, and what CPU c writes in step 3. */
#define MIX_CPU_WORD(c, k)	(MIX_WORD(k) ^ 0x00f00000u ^ ((u32)(c) << 12))
#define MIX_SEEN_WORD(c, k)	(~MIX_CPU_WORD(c, k))
#define MIX_CPU_BYTE(c, b)	((u8)((c) * 7 + (b)))

/*
 * MIX_RUN<n>(k) lists the template's words k .. k+n-1, each followed by a
 * comma; the initialiser below puts runs together by the bits of
 * MIX_INIT_WORDS (C has no loop for an initialiser of computed length).
 */
#define MIX_RUN1(k)	MIX_WORD(k),
#define MIX_RUN2(k)	MIX_RUN1(k) MIX_RUN1((k) + 1)
#define MIX_RUN4(k)	MIX_RUN2(k) MIX_RUN2((k) + 2)
#define MIX_RUN8(k)	MIX_RUN4(k) MIX_RUN4((k) + 4)
#define MIX_RUN16(k)	MIX_RUN8(k) MIX_RUN8((k) + 8)
#define MIX_RUN32(k)	MIX_RUN16(k) MIX_RUN16((k) + 16)
#define MIX_RUN64(k)	MIX_RUN32(k) MIX_RUN32((k) + 32)
#define MIX_RUN128(k)	MIX_RUN64(k) MIX_RUN64((k) + 64)
#define MIX_RUN256(k)	MIX_RUN128(k) MIX_RUN128((k) + 128)
#define MIX_RUN512(k)	MIX_RUN256(k) MIX_RUN256((k) + 256)

static DEFINE_PER_CPU(u32 [MIX_INIT_WORDS], mix_template) = {
#if MIX_INIT_WORDS & 512
	MIX_RUN512(0)
#endif
#if MIX_INIT_WORDS & 256
	MIX_RUN256(MIX_INIT_WORDS & 512)
#endif
#if MIX_INIT_WORDS & 128
	MIX_RUN128(MIX_INIT_WORDS & 768)
#endif
#if MIX_INIT_WORDS & 64
	MIX_RUN64(MIX_INIT_WORDS & 896)
#endif
#if MIX_INIT_WORDS & 32
	MIX_RUN32(MIX_INIT_WORDS & 960)
#endif
#if MIX_INIT_WORDS & 16
	MIX_RUN16(MIX_INIT_WORDS & 992)
#endif
#if MIX_INIT_WORDS & 8
	MIX_RUN8(MIX_INIT_WORDS & 1008)
#endif
#if MIX_INIT_WORDS & 4
	MIX_RUN4(MIX_INIT_WORDS & 1016)
#endif
#if MIX_INIT_WORDS & 2
	MIX_RUN2(MIX_INIT_WORDS & 1020)
#endif
#if MIX_INIT_WORDS & 1
	MIX_RUN1(MIX_INIT_WORDS & 1022)
#endif
};
static DEFINE_PER_CPU(u8 [MIX_ZERO_BYTES], mix_zero);

/* Step 3's findings, one slot per CPU (each CPU writes only its own). */
struct mix_seen {
	bool ran;
	int bad_word;		/* first template word not as expected, or -1 */
	u32 bad_value;
	int bad_byte;		/* first zero-part byte not as expected, or -1 */
	void *own_copy;		/* this_cpu_ptr(&mix_template) */
};
static struct mix_seen mix_seen[NR_CPUS];

static void mix_on_cpu(void *unused)
{
	unsigned int cpu = smp_processor_id();
	struct mix_seen *s = &mix_seen[cpu];
	int k;

	s->bad_word = -1;
	s->bad_byte = -1;
	s->own_copy = this_cpu_ptr(&mix_template);
	for (k = 0; k < MIX_INIT_WORDS; k++) {
		u32 v = this_cpu_read(mix_template[k]);

		if (v != MIX_CPU_WORD(cpu, k) && s->bad_word < 0) {
			s->bad_word = k;
			s->bad_value = v;
		}
		this_cpu_write(mix_template[k], MIX_SEEN_WORD(cpu, k));
	}
	for (k = 0; k < MIX_ZERO_BYTES; k++) {
		if (this_cpu_read(mix_zero[k]) != MIX_CPU_BYTE(cpu, k) && s->bad_byte < 0)
			s->bad_byte = k;
		this_cpu_add(mix_zero[k], 1);
	}
	s->ran = true;
}

/* Steps 1 and 2 for one CPU. */
static bool mix_check_template(unsigned int cpu)
{
	int k;

	for (k = 0; k < MIX_INIT_WORDS; k++) {
		if (per_cpu(mix_template, cpu)[k] != MIX_WORD(k)) {
			percpu_test_fail("CPU %u: template word %d is %#x, expected %#x",
					 cpu, k, per_cpu(mix_template, cpu)[k], MIX_WORD(k));
			return false;
		}
	}
	for (k = 0; k < MIX_ZERO_BYTES; k++) {
		if (per_cpu(mix_zero, cpu)[k] != 0) {
			percpu_test_fail("CPU %u: zero-initialised byte %d is %#x",
					 cpu, k, per_cpu(mix_zero, cpu)[k]);
			return false;
		}
	}
	for (k = 0; k < MIX_INIT_WORDS; k++)
		per_cpu(mix_template, cpu)[k] = MIX_CPU_WORD(cpu, k);
	for (k = 0; k < MIX_ZERO_BYTES; k++)
		per_cpu(mix_zero, cpu)[k] = MIX_CPU_BYTE(cpu, k);
	return true;
}

/* Steps 3 and 4 for one CPU, after mix_on_cpu() ran everywhere. */
static bool mix_check_seen(unsigned int cpu)
{
	const struct mix_seen *s = &mix_seen[cpu];
	bool online = cpu_online(cpu);
	int k;

	if (online && !s->ran) {
		percpu_test_fail("CPU %u is online but did not run the check", cpu);
		return false;
	}
	if (online && s->bad_word >= 0) {
		percpu_test_fail("CPU %u read its word %d through this_cpu_read as %#x, expected %#x",
				 cpu, s->bad_word, s->bad_value, MIX_CPU_WORD(cpu, s->bad_word));
		return false;
	}
	if (online && s->bad_byte >= 0) {
		percpu_test_fail("CPU %u read its byte %d through this_cpu_read wrong",
				 cpu, s->bad_byte);
		return false;
	}
	if (online && s->own_copy != per_cpu_ptr(&mix_template, cpu)) {
		percpu_test_fail("CPU %u: this_cpu_ptr is %px, per_cpu_ptr %px",
				 cpu, s->own_copy, per_cpu_ptr(&mix_template, cpu));
		return false;
	}
	for (k = 0; k < MIX_INIT_WORDS; k++) {
		u32 want = online ? MIX_SEEN_WORD(cpu, k) : MIX_CPU_WORD(cpu, k);

		if (per_cpu(mix_template, cpu)[k] != want) {
			percpu_test_fail("CPU %u's word %d is %#x after this_cpu_write, expected %#x",
					 cpu, k, per_cpu(mix_template, cpu)[k], want);
			return false;
		}
	}
	for (k = 0; k < MIX_ZERO_BYTES; k++) {
		u8 want = MIX_CPU_BYTE(cpu, k) + (online ? 1 : 0);

		if (per_cpu(mix_zero, cpu)[k] != want) {
			percpu_test_fail("CPU %u's byte %d is %#x after this_cpu_add, expected %#x",
					 cpu, k, per_cpu(mix_zero, cpu)[k], want);
			return false;
		}
	}
	return true;
}

static int __init mix_init(void)
{
	unsigned int cpu;

	if (!percpu_test_vm_addresses("the template", &mix_template) ||
	    !percpu_test_vm_addresses("the zero part", &mix_zero))
		return -EINVAL;
	for_each_possible_cpu(cpu)
		if (!mix_check_template(cpu))
			return -EINVAL;
	on_each_cpu(mix_on_cpu, NULL, 1);
	for_each_possible_cpu(cpu)
		if (!mix_check_seen(cpu))
			return -EINVAL;
	pr_info("%s: ok %d bytes per CPU (%d initialised, %d zero), CPU 0's copy at %px, %u CPUs\n",
		KBUILD_MODNAME, (int)(sizeof(mix_template) + sizeof(mix_zero)),
		(int)sizeof(mix_template), (int)sizeof(mix_zero),
		per_cpu_ptr(&mix_template, 0), num_online_cpus());
	return 0;
}

static void __exit mix_exit(void)
{
}

module_init(mix_init);
module_exit(mix_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("percpu-vm test: static per-CPU data of a module, checked on every CPU");
