/* demo_counters.c: every CPU hammers its own counters through this_cpu_*
 * (one %fs-relative instruction each, no lock), all at once; then the boot
 * CPU sums every CPU's copy through per_cpu().  The sums must be exact: a
 * CPU whose %fs pointed at another CPU's copy would make them wrong. */
#include <percpu-vm/percpu.h>

#include "demo.h"
#include "kernel.h"
#include "io.h"
#include "smp.h"

/* Zero-initialised (.bss.percpu with the plugin) and initialised
 * (.data.percpu, copied from the template to every CPU). */
DEFINE_PER_CPU(unsigned long, demo_counter);
DEFINE_PER_CPU(unsigned long long, demo_wide_counter);
DEFINE_PER_CPU(unsigned int, demo_template_word) = 0x5EC0FFEEu;
DEFINE_PER_CPU(unsigned short, demo_down) = 50000;
DEFINE_PER_CPU(unsigned int, demo_whoami);

/* The Linux ops beyond add/inc/dec, one variable each, every size: each
 * CPU's copy is changed by that CPU only, so every value an op returns is
 * known (a wrong one is counted in demo_op_errors) and so is every end
 * value. */
DEFINE_PER_CPU(unsigned char, demo_ret8);          /* this_cpu_add_return: xaddb */
DEFINE_PER_CPU(unsigned int, demo_ret32);          /* this_cpu_inc_return: xaddl */
DEFINE_PER_CPU(unsigned long long, demo_ret64);    /* this_cpu_add_return: cmpxchg8b loop */
DEFINE_PER_CPU(unsigned short, demo_sub16);        /* __this_cpu_sub: subw */
DEFINE_PER_CPU(unsigned char, demo_xchg8) = 0xff;  /* this_cpu_xchg: cmpxchgb loop */
DEFINE_PER_CPU(unsigned long long, demo_xchg64);   /* raw_cpu_xchg: cmpxchg8b loop */
DEFINE_PER_CPU(unsigned int, demo_cas32);          /* this_cpu_cmpxchg: cmpxchgl */
DEFINE_PER_CPU(unsigned short, demo_cas16);        /* raw_cpu_cmpxchg: cmpxchgw */
DEFINE_PER_CPU(unsigned long long, demo_mask64);   /* this_cpu_or: cmpxchg8b loop */
DEFINE_PER_CPU(unsigned short, demo_and16) = 0xffff; /* this_cpu_and: andw */
DEFINE_PER_CPU(unsigned char, demo_or8);           /* raw_cpu_or: orb */
DEFINE_PER_CPU(unsigned int, demo_dec32);          /* __this_cpu_dec_return: xaddl */
DEFINE_PER_CPU(unsigned int, demo_op_errors);

struct counter_job {
	unsigned long iterations;
	volatile unsigned ready, go;
};

static void count_on_this_cpu(void *arg)
{
	struct counter_job *job = arg;
	/* Start together so the CPUs really run at the same time. */
	__atomic_fetch_add(&job->ready, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&job->go, __ATOMIC_ACQUIRE))
		cpu_relax();
	this_cpu_write(demo_whoami, this_cpu_read(pcpu_cpu_number));
	for (unsigned long i = 0; i < job->iterations; i++) {
		this_cpu_inc(demo_counter);
		this_cpu_add(demo_wide_counter, 3);
		if (i < 50000)
			this_cpu_dec(demo_down);
		bool ok = true;
		ok &= this_cpu_add_return(demo_ret8, 3) == (unsigned char)(3 * (i + 1));
		ok &= this_cpu_inc_return(demo_ret32) == i + 1;
		ok &= this_cpu_add_return(demo_ret64, 0x100000001ull) == 0x100000001ull * (i + 1);
		__this_cpu_sub(demo_sub16, 3);
		ok &= this_cpu_xchg(demo_xchg8, (unsigned char)i) == (unsigned char)(i - 1);
		ok &= raw_cpu_xchg(demo_xchg64, (unsigned long long)i << 32) ==
		      (i ? (unsigned long long)(i - 1) << 32 : 0);
		ok &= this_cpu_cmpxchg(demo_cas32, i, i + 1) == i;      /* succeeds */
		ok &= this_cpu_cmpxchg(demo_cas32, i, 0) == i + 1;      /* fails */
		ok &= raw_cpu_cmpxchg(demo_cas16, (unsigned short)i, (unsigned short)(i + 1)) ==
		      (unsigned short)i;
		this_cpu_or(demo_mask64, 1ull << (i & 63));
		this_cpu_and(demo_and16, ~(1u << (i & 15)));
		raw_cpu_or(demo_or8, 1u << (i & 7));
		ok &= __this_cpu_dec_return(demo_dec32) == (unsigned int)-(long)(i + 1);
		if (!ok)
			this_cpu_inc(demo_op_errors);
	}
	get_cpu_var(demo_counter) += 1; /* the Linux spelling, too */
	put_cpu_var(demo_counter);
	__get_cpu_var(demo_counter) -= 1; /* and the 2006 one */
}

/* What the Linux ops left: every value each returned was the expected
 * one, and the sums over the online CPUs are exact. */
static void demo_counters_linux_ops(unsigned long iterations)
{
	unsigned long long ret64 = 0, xchg64_ok = 0, mask_ok = 0;
	unsigned long ret32 = 0, errors = 0, cas_ok = 0, small_ok = 0;
	unsigned cpu, n = 0;
	unsigned long last = iterations - 1;
	unsigned long long full = iterations >= 64 ? ~0ull : (1ull << iterations) - 1;
	unsigned short and_left = iterations >= 16 ? 0 : (unsigned short)(0xffffu << iterations);
	unsigned char or_set = iterations >= 8 ? 0xff : (unsigned char)((1u << iterations) - 1);

	for_each_online_cpu(cpu) {
		n++;
		errors += per_cpu(demo_op_errors, cpu);
		ret32 += per_cpu(demo_ret32, cpu);
		ret64 += per_cpu(demo_ret64, cpu);
		xchg64_ok += per_cpu(demo_xchg64, cpu) ==
			     (iterations ? (unsigned long long)last << 32 : 0);
		cas_ok += per_cpu(demo_cas32, cpu) == iterations &&
			  per_cpu(demo_cas16, cpu) == (unsigned short)iterations;
		mask_ok += per_cpu(demo_mask64, cpu) == full;
		small_ok += per_cpu(demo_ret8, cpu) == (unsigned char)(3 * iterations) &&
			    per_cpu(demo_sub16, cpu) == (unsigned short)(0u - 3 * iterations) &&
			    per_cpu(demo_xchg8, cpu) == (unsigned char)last &&
			    per_cpu(demo_and16, cpu) == and_left &&
			    per_cpu(demo_or8, cpu) == or_set &&
			    per_cpu(demo_dec32, cpu) == (unsigned int)-(long)iterations;
	}
	check(n == smp_online_count() && num_online_cpus() == n && num_possible_cpus() >= n,
	      "for_each_online_cpu() walks the %u online CPUs (%u possible, nr_cpu_ids %u)", n,
	      num_possible_cpus(), nr_cpu_ids);
	check(errors == 0, "every value this_cpu_{add,inc,dec}_return, xchg and cmpxchg returned "
			   "(1, 2, 4 and 8 bytes, three tiers) was the expected one: %lu wrong",
	      errors);
	check(ret32 == iterations * n && ret64 == 0x100000001ull * iterations * n,
	      "sum of the this_cpu_inc_return/add_return counters over %u CPUs = %lu and %llu "
	      "(expected %lu and %llu)", n, ret32, ret64, iterations * n,
	      0x100000001ull * iterations * n);
	check(xchg64_ok == n && cas_ok == n && mask_ok == n && small_ok == n,
	      "xchg, cmpxchg, sub, and, or left the expected value on every CPU (%llu, %lu, %llu, "
	      "%lu of %u)", xchg64_ok, cas_ok, mask_ok, small_ok, n);
}

void demo_counters(unsigned long iterations)
{
	unsigned n = smp_online_count();
	static struct counter_job job;

	kprintf("counters: %u CPUs x %lu this_cpu_inc/this_cpu_add each, concurrently\n", n,
		iterations);
	bool template_ok = true, zero_ok = true;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!smp_cpu_online(cpu))
			continue;
		if (per_cpu(demo_template_word, cpu) != 0x5EC0FFEEu)
			template_ok = false;
		if (per_cpu(demo_counter, cpu) || per_cpu(demo_wide_counter, cpu))
			zero_ok = false;
	}
	check(template_ok, "every CPU's copy of an initialised per-CPU variable holds the template "
			   "value 0x5ec0ffee");
	check(zero_ok, "every CPU's copy of the zero-initialised per-CPU counters is 0");

	job.iterations = iterations;
	job.ready = 0;
	job.go = 0;
	smp_call_all_async_start(count_on_this_cpu, &job);
	while (__atomic_load_n(&job.ready, __ATOMIC_ACQUIRE) < n - 1)
		cpu_relax();
	__atomic_store_n(&job.go, 1, __ATOMIC_RELEASE);
	count_on_this_cpu(&job);
	smp_call_all_async_wait();

	unsigned long sum = 0;
	unsigned long long wide = 0;
	bool each_ok = true, id_ok = true, down_ok = true;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!smp_cpu_online(cpu))
			continue;
		sum += per_cpu(demo_counter, cpu);
		wide += per_cpu(demo_wide_counter, cpu);
		if (per_cpu(demo_counter, cpu) != iterations)
			each_ok = false;
		if (per_cpu(demo_whoami, cpu) != cpu)
			id_ok = false;
		if (per_cpu(demo_down, cpu) != 50000 - (iterations < 50000 ? iterations : 50000))
			down_ok = false;
	}
	check(id_ok, "each CPU's " DEMO_PERCPU_SEG " reaches its own copy (this_cpu_read(pcpu_cpu_number) == cpu)");
	check(each_ok, "each CPU's counter is exactly %lu", iterations);
	check(sum == iterations * n, "sum of per_cpu(demo_counter) over %u CPUs = %lu (expected %lu)",
	      n, sum, iterations * n);
	check(wide == 3ull * iterations * n,
	      "sum of the 64-bit per-CPU counters = %llu (expected %llu)", wide,
	      3ull * iterations * n);
	check(down_ok, "this_cpu_dec on a 16-bit per-CPU variable counted down on every CPU");
	demo_counters_linux_ops(iterations);
}
