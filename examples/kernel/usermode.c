/* usermode.c: a ring-3 probe.  The boot CPU gets a TSS (its ring-0 stack
 * for traps from ring 3), two user pages outside the identity map hold the
 * probe code (boot.S, usermode_code_start) and its stack, and
 * usermode_call() enters ring 3 with an address to read.  The code traps
 * back with int $0x81 if the read worked; if it faulted, the page-fault
 * handler (traps.c -> usermode_trap) records the fault.  Either way the
 * handler resumes the kernel at usermode_return, which restores the
 * kernel's stack and segments. */
#include "gdt.h"
#include "io.h"
#include "kernel.h"
#include "paging.h"
#include "pmem.h"
#include "traps.h"
#include "usermode.h"

#define USER_CODE_VA 0x3FC00000u
#define USER_STACK_VA 0x3FC01000u
/* (with the page table that maps them: 4 MiB) */
_Static_assert(DEMO_WINDOW_MISSES(USER_CODE_VA, USER_CODE_VA + (4u << 20)),
	       "the per-CPU window overlaps the ring-3 probe pages (see configure.ac)");

struct tss {
	uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint32_t es, cs, ss, ds, fs, gs, ldt;
	uint16_t trap, iomap;
} __attribute__((packed));

static struct tss tss __attribute__((aligned(16)));
static uint8_t trap_stack[4096] __attribute__((aligned(16)));

/* Shared with boot.S. */
uint32_t usermode_saved_esp;
volatile uint32_t usermode_result;
extern char usermode_return[], usermode_code_start[], usermode_code_end[];
uint32_t usermode_call(uint32_t eip, uint32_t esp, uint32_t arg, uint32_t user_cs,
		       uint32_t user_ds);

static volatile uint32_t fault_addr_seen, fault_error_seen;
static bool ready;

bool usermode_init(void)
{
	uint32_t code = pmem_alloc_page(), stack = pmem_alloc_page();
	if (!code || !stack || paging_map_user(USER_CODE_VA, code) ||
	    paging_map_user(USER_STACK_VA, stack))
		return false;
	memcpy((void *)(uintptr_t)code, usermode_code_start,
	       SYM_DISTANCE(usermode_code_end, usermode_code_start));
	tss.ss0 = 0x10;
	tss.esp0 = (uint32_t)(uintptr_t)(trap_stack + sizeof(trap_stack));
	tss.iomap = sizeof(tss); /* no I/O bitmap: ring 3 gets no ports */
	gdt_load_tss(&tss, sizeof(tss));
	ready = true;
	return true;
}

uint32_t usermode_page(void) { return USER_CODE_VA; }

void usermode_trap(struct trap_frame *f)
{
	if (f->vector == VEC_USER_RETURN) {
		usermode_result = 0;
	} else {
		fault_addr_seen = read_cr2();
		fault_error_seen = f->error;
		usermode_result = f->vector == VEC_PAGE_FAULT ? 1 : 2;
	}
	/* Resume the kernel in ring 0: iret to the same privilege pops only
	 * eip, cs and eflags; usermode_return then reloads the stack. */
	f->eip = (uint32_t)(uintptr_t)usermode_return;
	f->cs = GDT_KERNEL_CS;
	f->eflags = 0x2;
}

bool usermode_read(uint32_t addr, uint32_t *fault_addr, uint32_t *fault_error)
{
	if (!ready)
		return false;
	uint32_t flags = irq_save();
	fault_addr_seen = 0;
	fault_error_seen = 0;
	uint32_t r = usermode_call(USER_CODE_VA, USER_STACK_VA + PAGE_SIZE, addr, gdt_user_cs(),
				   gdt_user_ds());
	irq_restore(flags);
	*fault_addr = fault_addr_seen;
	*fault_error = fault_error_seen;
	return r == 0;
}
