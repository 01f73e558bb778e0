/* kernel.h: what the demo kernel's files share. */
#ifndef DEMO_KERNEL_H
#define DEMO_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <percpu-vm/config.h>

#define PAGE_SIZE 4096u

/* The demo's own mappings must miss the per-CPU window [PERCPU_BASE,
 * DEMO_WINDOW_END) (64-bit: the window may end at 4 GiB).  configure builds
 * the demo only for such a window; the files that make the mappings assert
 * it (pmem.c, usermode.c, paging.c). */
#ifdef __x86_64__
/* The x86-64 demo's window, in the top 2 GiB (config.h). */
#define DEMO_PERCPU_BASE PERCPU_X86_64_BASE
#else
#define DEMO_PERCPU_BASE PERCPU_BASE
#endif
/* The segment register this_cpu_*() go through, for the report. */
#ifdef __x86_64__
#define DEMO_PERCPU_SEG "%%gs"
#else
#define DEMO_PERCPU_SEG "%%fs"
#endif
#define DEMO_WINDOW_END ((uint64_t)DEMO_PERCPU_BASE + ((uint64_t)PERCPU_NR_CPUS << PERCPU_SHIFT))
#define DEMO_WINDOW_MISSES(lo, hi) \
	(DEMO_WINDOW_END <= (uint64_t)(lo) || (uint64_t)DEMO_PERCPU_BASE >= (uint64_t)(hi))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((a) - 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* The bytes from linker symbol `start` to `end`.  As integers: C defines
 * pointer subtraction only within one object, and to the compiler
 * __per_cpu_start and __per_cpu_end are two different arrays. */
#define SYM_DISTANCE(end, start) ((size_t)((uintptr_t)(end) - (uintptr_t)(start)))

/* A pointer to identity-mapped physical memory.  The empty asm hides the
 * constant from GCC, which otherwise warns about dereferencing small
 * literal addresses (-Warray-bounds) such as the BIOS data area. */
static inline void *phys_to_ptr(uintptr_t addr)
{
	__asm__("" : "+r"(addr));
	return (void *)addr;
}

/* lib.c: the C library functions GCC may call even when freestanding. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
const char *strstr_k(const char *hay, const char *needle);
/* Parses "key=NUMBER" out of a command line; returns def when absent. */
unsigned long cmdline_ulong(const char *cmdline, const char *key, unsigned long def);

/* console.c: COM1 serial output. */
void console_init(void);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* exit.c: qemu's isa-debug-exit device (qemu exits with (code << 1) | 1). */
#define DEMO_EXIT_PASS 0x10 /* qemu status 33 */
#define DEMO_EXIT_FAIL 0x11 /* qemu status 35 */
void demo_exit(uint8_t code) __attribute__((noreturn));

/* checks.c: the pass/fail record behind the report. */
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned checks_failed(void);
unsigned checks_passed(void);
/* Quiet: print only failures (for loops of thousands of checks). */
void checks_set_quiet(bool quiet);
void demo_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
