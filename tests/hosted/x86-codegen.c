/* What the x86 arch parts compile to: compiled -m32 by i386-codegen.sh and
 * -m64 -mcmodel=kernel by x86_64-codegen.sh, which check the instructions.
 * One function per case. */
#include <percpu-vm/percpu.h>

__extension__ typedef unsigned long long u64;
DEFINE_PER_CPU(int, counter);
DEFINE_PER_CPU(unsigned char, byte);
DEFINE_PER_CPU(short, half);
DEFINE_PER_CPU(u64, wide);
DEFINE_PER_CPU(int[4], quad);

void t_inc(void);
void t_inc(void) { this_cpu_inc(counter); }
void t_dec(void);
void t_dec(void) { this_cpu_dec(counter); }
int t_read(void);
int t_read(void) { return this_cpu_read(counter); }
void t_write(void);
void t_write(void) { this_cpu_write(counter, 42); }
void t_add(void);
void t_add(void) { this_cpu_add(counter, 5); }
void t_byte_inc(void);
void t_byte_inc(void) { this_cpu_inc(byte); }
void t_half_add(void);
void t_half_add(void) { this_cpu_add(half, 3); }
u64 t_wide_read(void);
u64 t_wide_read(void) { return this_cpu_read(wide); }
void t_wide_write(u64 v);
void t_wide_write(u64 v) { this_cpu_write(wide, v); }
void t_wide_add(void);
void t_wide_add(void) { this_cpu_add(wide, 5); }
void t_wide_inc(void);
void t_wide_inc(void) { this_cpu_inc(wide); }
void t_wide_or_big(void);
void t_wide_or_big(void) { this_cpu_or(wide, 0x100000000ULL); }
unsigned t_cpu(void);
unsigned t_cpu(void) { return smp_processor_id(); }
int t_per_cpu(unsigned cpu);
int t_per_cpu(unsigned cpu) { return per_cpu(counter, cpu); }

/* this_cpu_ptr: the pointer operand that names the object costs nothing */
int *t_this_ptr(void);
int *t_this_ptr(void) { return this_cpu_ptr(&counter); }
int *t_this_ptr_elem(void);
int *t_this_ptr_elem(void) { return this_cpu_ptr(&quad[2]); }
int t_this_ptr_index(int i);
int t_this_ptr_index(int i) { return this_cpu_ptr(quad)[i]; }
int *t_this_ptr_dynamic(int *p);
int *t_this_ptr_dynamic(int *p) { return this_cpu_ptr(p); }

/* the ops added for Linux code: one instruction each where x86 has one */
void t_sub(void);
void t_sub(void) { this_cpu_sub(counter, 7); }
void t_and(void);
void t_and(void) { this_cpu_and(half, 0xff0); }
void t_or(void);
void t_or(void) { this_cpu_or(byte, 0x81); }
int t_add_return(int v);
int t_add_return(int v) { return this_cpu_add_return(counter, v); }
short t_inc_return(void);
short t_inc_return(void) { return this_cpu_inc_return(half); }
unsigned char t_dec_return(void);
unsigned char t_dec_return(void) { return this_cpu_dec_return(byte); }
int t_cmpxchg(int old, int new);
int t_cmpxchg(int old, int new) { return this_cpu_cmpxchg(counter, old, new); }
unsigned char t_cmpxchg_byte(void);
unsigned char t_cmpxchg_byte(void) { return this_cpu_cmpxchg(byte, 1, 2); }
int t_xchg(int v);
int t_xchg(int v) { return this_cpu_xchg(counter, v); }
short t_xchg_half(void);
short t_xchg_half(void) { return this_cpu_xchg(half, 9); }
u64 t_wide_cmpxchg(u64 old, u64 new);
u64 t_wide_cmpxchg(u64 old, u64 new) { return this_cpu_cmpxchg(wide, old, new); }
u64 t_wide_xchg(u64 v);
u64 t_wide_xchg(u64 v) { return this_cpu_xchg(wide, v); }
u64 t_wide_add_return(void);
u64 t_wide_add_return(void) { return this_cpu_add_return(wide, 5); }
void t_raw_add(void);
void t_raw_add(void) { raw_cpu_add(counter, 5); }
void t_this_raw_inc(void);
void t_this_raw_inc(void) { __this_cpu_inc(byte); }
int t_raw_xchg(void);
int t_raw_xchg(void) { return __this_cpu_xchg(counter, 3); }
