/* io.h: x86 port I/O and the few privileged instructions the demo uses. */
#ifndef DEMO_IO_H
#define DEMO_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Control registers and RFLAGS are as wide as the mode: 32 bits on i386,
 * 64 on x86-64 (the x86-64 demo, examples/kernel/x86_64). */
#ifdef __x86_64__
typedef uint64_t creg_t;
#else
typedef uint32_t creg_t;
#endif

static inline creg_t read_cr0(void) { creg_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline creg_t read_cr2(void) { creg_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline creg_t read_cr3(void) { creg_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline creg_t read_cr4(void) { creg_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(creg_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(creg_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(creg_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }

/* EFLAGS/RFLAGS (RFLAGS' upper half is reserved, zero: 32 bits keep it).
 * pushf/popf without a suffix take the mode's width. */
static inline uint32_t irq_save(void)
{
	creg_t flags;
	__asm__ volatile("pushf; pop %0; cli" : "=r"(flags) : : "memory");
	return (uint32_t)flags;
}

static inline void irq_restore(uint32_t flags)
{
	creg_t f = flags;
	__asm__ volatile("push %0; popf" : : "r"(f) : "memory", "cc");
}

#endif
