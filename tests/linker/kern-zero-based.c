/* Linker-test kernel for zero-based mode (kernel-zero-based.lds): per-CPU
 * data of each kind percpu.lds places (initialised, zero, read-mostly,
 * page-aligned), reached the way Linux 6.1 x86-64 reaches it: %gs plus
 * the variable's link address as an absolute 32-bit displacement, which
 * only fits because the section is linked at 0 (the variable's offset).
 * ZB_BIG_BYTES (with -D) adds that many bytes of per-CPU data, for the
 * guard-page assertion; ZB_FIRST a .data..percpu..first object in place of
 * the page-aligned one. */
#include <percpu-vm/percpu.h>

#ifdef ZB_FIRST
/* Linux's DECLARE_PER_CPU_FIRST (x86-64's fixed_percpu_data, whose canary
 * GCC reads at %gs:40): percpu.lds must place it at offset 0, before the
 * read-mostly data.  (Then without the page-aligned object, which would
 * take the page after it: the smallest stride has one usable page.) */
__attribute__((section(".data..percpu..first"))) __PCPU_ATTR_PERCPU
char zb_first[48] = { 1 };
#endif
DEFINE_PER_CPU(int, zb_counter) = 1;
DEFINE_PER_CPU(long[4], zb_array) = { 1, 2, 3, 4 };
DEFINE_PER_CPU(int[64], zb_zero);
DEFINE_PER_CPU_READ_MOSTLY(int, zb_mostly) = 7;
#ifndef ZB_FIRST
DEFINE_PER_CPU_PAGE_ALIGNED(char[64], zb_page) = { 1 };
#endif
#ifdef ZB_BIG_BYTES
DEFINE_PER_CPU(char[ZB_BIG_BYTES], zb_big);
#endif
/* Ordinary data, which must stay in the image's own segment. */
int zb_data = 3;
int zb_bss;

void _start(void);
void _start(void)
{
	/* this_cpu_inc(zb_counter), Linux 6.1's way: `incl %gs:zb_counter` */
	__asm__ __volatile__("incl %%gs:%c0" : : "i"(&zb_counter) : "memory");
#ifdef ZB_BIG_BYTES
	__asm__ __volatile__("incb %%gs:%c0" : : "i"(&zb_big) : "memory");
#endif
	zb_bss += zb_data;
	for (;;)
		__asm__ __volatile__("hlt");
}
