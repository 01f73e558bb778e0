/* traps.h: interrupt descriptor table and the trap frame.  The page-fault
 * handler recovers from faults in the probe helpers of boot.S, which is how
 * the demo proves that a stray per-CPU access faults. */
#ifndef DEMO_TRAPS_H
#define DEMO_TRAPS_H

#include <stdint.h>

#ifdef __x86_64__
/* x86_64/boot.S's trap_common: the general registers, then the stub's
 * vector and error code, then what the CPU pushes in long mode (always
 * SS:RSP as well). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};
static inline uintptr_t trap_ip(const struct trap_frame *f) { return f->rip; }
static inline void trap_set_ip(struct trap_frame *f, uintptr_t ip) { f->rip = ip; }
#else
struct trap_frame {
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax; /* pushal */
	uint32_t vector, error;
	uint32_t eip, cs, eflags; /* pushed by the CPU (no privilege change) */
};
static inline uintptr_t trap_ip(const struct trap_frame *f) { return f->eip; }
static inline void trap_set_ip(struct trap_frame *f, uintptr_t ip) { f->eip = (uint32_t)ip; }
#endif

#define VEC_PAGE_FAULT 14
/* Page-fault error code bits. */
#define PF_PRESENT 0x1u /* a protection violation, not a missing page */
#define PF_WRITE 0x2u
#define PF_USER 0x4u
#define PF_FETCH 0x10u
#define VEC_USER_RETURN 129
#define VEC_TLB_SHOOTDOWN 240
#define VEC_WAKE 241
#define VEC_SPURIOUS 255

void idt_init(void);
void idt_load(void);
/* trap_dispatch.c handles the traps; an unexpected one ends in the arch's
 * report of the frame (traps.c, x86_64/traps.c). */
__attribute__((noreturn)) void trap_panic(const struct trap_frame *f, const char *name);

/* The last fault a probe recovered from, one record per CPU: the probes
 * run on every CPU at once (demo_modules.c faults on all of them), and a
 * CPU must read back its own fault, not another's. */
struct fault_record {
	uintptr_t addr;  /* CR2 */
	uint32_t error;  /* page-fault error code */
	uintptr_t ip;    /* the faulting instruction */
	unsigned count;
};
/* This CPU's record (before the APs start, CPU 0's). */
const volatile struct fault_record *last_fault(void);

int probe_write32(volatile uint32_t *addr, uint32_t value);
int probe_write8(volatile uint8_t *addr, uint8_t value);
int probe_read32(const volatile uint32_t *addr, uint32_t *out);
/* `code` must hold a `ret`; returns 1 if fetching it faulted.  Set
 * probe_exec_target to `code` first (the handler knows the fault by it). */
int probe_exec(void *code);
extern volatile uintptr_t probe_exec_target;

/* usermode.c: a trap taken in ring 3 ends the usermode probe. */
void usermode_trap(struct trap_frame *f);
/* Make the trap return to ring 0 at `ip` (on x86-64 on the stack `sp`,
 * which iretq always loads; i386's iret to ring 0 keeps the handler's). */
void trap_resume_kernel(struct trap_frame *f, uintptr_t ip, uintptr_t sp);

/* Set by smp.c: what the TLB shootdown IPI does on the receiving CPU. */
void smp_handle_shootdown(void);
void lapic_eoi(void);

#endif
