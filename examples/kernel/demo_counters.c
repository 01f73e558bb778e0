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
	}
	get_cpu_var(demo_counter) += 1; /* the Linux spelling, too */
	put_cpu_var(demo_counter);
	__get_cpu_var(demo_counter) -= 1; /* and the 2006 one */
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
	check(id_ok, "each CPU's %%fs reaches its own copy (this_cpu_read(pcpu_cpu_number) == cpu)");
	check(each_ok, "each CPU's counter is exactly %lu", iterations);
	check(sum == iterations * n, "sum of per_cpu(demo_counter) over %u CPUs = %lu (expected %lu)",
	      n, sum, iterations * n);
	check(wide == 3ull * iterations * n,
	      "sum of the 64-bit per-CPU counters = %llu (expected %llu)", wide,
	      3ull * iterations * n);
	check(down_ok, "this_cpu_dec on a 16-bit per-CPU variable counted down on every CPU");
}
