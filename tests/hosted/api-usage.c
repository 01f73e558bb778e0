/* Every percpu.h API in one unit: compiled (not run) by headers.sh in both
 * modes, C11 and gnu89, i386 and x86-64, freestanding, -O0 and -O2, with
 * -Wall -Wextra -Wpedantic -Werror, to show the headers are warning-free
 * wherever a kernel might include them. */
#include <percpu-vm/percpu.h>

struct pair {
	int a;
	long b;
};

DEFINE_PER_CPU(int, api_counter);
DEFINE_PER_CPU(unsigned char, api_byte);
DEFINE_PER_CPU(short, api_short);
__extension__ typedef long long api_s64;
DEFINE_PER_CPU(api_s64, api_wide);
DEFINE_PER_CPU(struct pair, api_pair) = { 1, 2 };
DEFINE_PER_CPU(int[16], api_array);
DEFINE_PER_CPU(void *, api_ptr);
DECLARE_PER_CPU(int, api_extern);
static DEFINE_PER_CPU(long, api_local) = 3;
EXPORT_PER_CPU_SYMBOL(api_counter);
EXPORT_PER_CPU_SYMBOL_GPL(api_pair);

int api_sum(unsigned ncpu);
int api_sum(unsigned ncpu)
{
	unsigned cpu;
	int sum = 0;

	for (cpu = 0; cpu < ncpu; cpu++) {
		sum += per_cpu(api_counter, cpu);
		sum += per_cpu(api_pair, cpu).a;
		sum += per_cpu(api_array, cpu)[3];
		sum += *per_cpu_ptr(&api_extern, cpu);
		sum += (int)per_cpu(api_local, cpu);
	}
	return sum;
}

void api_this_cpu(void);
void api_this_cpu(void)
{
	int *p;
	void *q;

	this_cpu_inc(api_counter);
	this_cpu_dec(api_counter);
	this_cpu_add(api_counter, 5);
	this_cpu_write(api_counter, this_cpu_read(api_counter) + 1);
	this_cpu_inc(api_byte);
	this_cpu_add(api_short, -2);
	this_cpu_write(api_wide, this_cpu_read(api_wide) * 3);
	this_cpu_add(api_wide, 1);
	this_cpu_inc(api_wide);
	this_cpu_dec(api_wide);
	q = this_cpu_read(api_ptr);
	this_cpu_write(api_ptr, q);
	p = this_cpu_ptr(&api_array[0]);
	p[1] = 7;
	__get_cpu_var(api_pair).b = 9;
	get_cpu_var(api_array)[2]++;
	put_cpu_var(api_array);
	(void)smp_processor_id();
}

long *api_dynamic(void);
long *api_dynamic(void)
{
	long *d = alloc_percpu(long);
	struct pair *e = (struct pair *)__alloc_percpu(sizeof(struct pair), 8);

	if (d)
		*per_cpu_ptr(d, NR_CPUS - 1) = 3;
	free_percpu(e);
	return d;
}
