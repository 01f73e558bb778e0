/* tests/plugin/code/api-unit.c: the Linux-style accessors api-report.sh
 * has the plugin lower and report, one per function (each on one line, so
 * a site's line is its function's). */
#include <percpu-vm/percpu.h>

struct api_hist { int count; int bucket[6]; };
__extension__ typedef unsigned long long api_u64;
DEFINE_PER_CPU(int, api_int);
DEFINE_PER_CPU(short, api_short);
DEFINE_PER_CPU(unsigned char, api_byte);
DEFINE_PER_CPU(api_u64, api_wide);
DEFINE_PER_CPU(int[8], api_arr);
DEFINE_PER_CPU(struct api_hist, api_s);
DEFINE_PER_CPU_READ_MOSTLY(long, api_mostly);
DEFINE_PER_CPU_PAGE_ALIGNED(char[64], api_page);
DEFINE_PER_CPU_SHARED_ALIGNED(int, api_shared);

int arr_elem(unsigned cpu) { return per_cpu_ptr(api_arr, cpu)[3]; }
int member_arr(unsigned cpu) { return per_cpu_ptr(api_s.bucket, cpu)[1]; }
int member_const(void) { return per_cpu_ptr(api_s.bucket, 2)[1]; }
int char_cpu(char c) { return per_cpu(api_int, c); }
long possible_sum(void) { long s = 0; unsigned cpu; for_each_possible_cpu(cpu) s += per_cpu(api_mostly, cpu); return s; }
char page_elem(unsigned cpu) { return per_cpu(api_page, cpu)[5] + (char)per_cpu(api_shared, cpu); }
int got_cpu(void) { int v = per_cpu(api_int, get_cpu()); put_cpu(); return v; }
int this_arr(void) { return this_cpu_ptr(api_arr)[2]; }
int *this_scalar(void) { return this_cpu_ptr(&api_int); }
int *this_elem(void) { return this_cpu_ptr(&api_arr[5]); }
struct api_hist *this_struct(void) { return this_cpu_ptr(&api_s); }
int *this_member(void) { return this_cpu_ptr(&api_s.bucket[4]); }
int *this_dynamic(int *p) { return this_cpu_ptr(p); }
int t_xchg(int v) { return this_cpu_xchg(api_int, v); }
short t_cmpxchg(short o, short n) { return this_cpu_cmpxchg(api_short, o, n); }
unsigned char t_add_return(void) { return this_cpu_add_return(api_byte, 4); }
api_u64 t_wide(api_u64 v) { return this_cpu_xchg(api_wide, v) + this_cpu_inc_return(api_wide); }
void t_sub(void) { __this_cpu_sub(api_int, 2); }
void t_raw(void) { raw_cpu_or(api_int, 8); }
#ifdef __i386__
unsigned long t_offset(void) { return this_cpu_read(pcpu_this_cpu_off); }
#endif
