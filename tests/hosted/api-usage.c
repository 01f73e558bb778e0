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
DEFINE_PER_CPU(struct pair[4], api_pairs);
DEFINE_PER_CPU_ALIGNED(int, api_aligned);
DEFINE_PER_CPU_SHARED_ALIGNED(struct pair, api_shared) = { 4, 5 };
DEFINE_PER_CPU_PAGE_ALIGNED(char[4096], api_page);
DEFINE_PER_CPU_READ_MOSTLY(unsigned long, api_mostly) = 6;
DECLARE_PER_CPU_ALIGNED(int, api_aligned);
DECLARE_PER_CPU_SHARED_ALIGNED(struct pair, api_shared);
DECLARE_PER_CPU_PAGE_ALIGNED(char[4096], api_page);
DECLARE_PER_CPU_READ_MOSTLY(unsigned long, api_mostly);
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

/* The CPU masks, get_cpu()/put_cpu(), the placed variants, and
 * per_cpu_ptr() of arrays and array members. */
long api_walk(char c);
long api_walk(char c)
{
	int cpu;
	unsigned int ucpu;
	long sum = (long)nr_cpu_ids + (long)num_possible_cpus() + (long)num_online_cpus();
	int *elem;
	int __percpu *dyn = per_cpu_ptr(&api_counter, 0);

	for_each_possible_cpu(cpu)
		sum += per_cpu(api_mostly, cpu) + per_cpu(api_aligned, cpu);
	for_each_online_cpu(ucpu) {
		if (!cpu_online(ucpu) || !cpu_possible(ucpu))
			continue;
		sum += per_cpu(api_shared, ucpu).a + per_cpu(api_page, ucpu)[4095];
	}
	sum += per_cpu(api_counter, c) + *per_cpu_ptr(dyn, c);  /* a char CPU */
	elem = per_cpu_ptr(api_array, c);                   /* array: int * */
	sum += elem[1] + per_cpu_ptr(api_pairs, 1)->a;
	sum += per_cpu_ptr(per_cpu_ptr(&api_pairs[2], 0), 1)->b;
	cpu = get_cpu();
	sum += *per_cpu_ptr(api_array, cpu) + this_cpu_ptr(api_array)[2];
	sum += this_cpu_ptr(&api_pairs[1])->b + raw_cpu_ptr(api_pairs)->a;
	put_cpu();
	return sum;
}

/* Every this_cpu op in its three tiers, on every size. */
#define API_OPS(tier, var, type)                                          \
	do {                                                              \
		type v_;                                                  \
		tier##_add(var, 3);                                       \
		tier##_sub(var, 1);                                       \
		tier##_inc(var);                                          \
		tier##_dec(var);                                          \
		tier##_and(var, 0x7f);                                    \
		tier##_or(var, 0x10);                                     \
		v_ = tier##_xchg(var, 5);                                 \
		v_ = (type)(v_ + tier##_cmpxchg(var, 5, v_));             \
		v_ = (type)(v_ + tier##_add_return(var, 2));              \
		v_ = (type)(v_ + tier##_inc_return(var));                 \
		v_ = (type)(v_ + tier##_dec_return(var));                 \
		tier##_write(var, (type)(v_ + tier##_read(var)));         \
	} while (0)

void api_ops(void);
void api_ops(void)
{
	API_OPS(this_cpu, api_byte, unsigned char);
	API_OPS(this_cpu, api_short, short);
	API_OPS(this_cpu, api_counter, int);
	API_OPS(this_cpu, api_wide, api_s64);
	API_OPS(__this_cpu, api_byte, unsigned char);
	API_OPS(__this_cpu, api_short, short);
	API_OPS(__this_cpu, api_counter, int);
	API_OPS(__this_cpu, api_wide, api_s64);
	API_OPS(raw_cpu, api_byte, unsigned char);
	API_OPS(raw_cpu, api_short, short);
	API_OPS(raw_cpu, api_counter, int);
	API_OPS(raw_cpu, api_wide, api_s64);
	(void)this_cpu_xchg(api_ptr, (void *)0);
	(void)this_cpu_cmpxchg(api_ptr, (void *)0, (void *)&api_ptr);
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
