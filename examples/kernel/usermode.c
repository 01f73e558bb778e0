/* usermode.c: a ring-3 probe.  The boot CPU gets a TSS (its ring-0 stack
 * for traps from ring 3, gdt.c of each mode), two user pages outside the
 * identity map hold the probe code (boot.S, usermode_code_start) and its
 * stack, and usermode_call() enters ring 3 with an address to read.  The
 * code traps back with int $0x81 if the read worked; if it faulted, the
 * trap handler (traps.c -> usermode_trap) records the fault.  Either way
 * the handler resumes the kernel at usermode_return, which restores the
 * kernel's stack and segments.  What differs by mode is in boot.S (the
 * entry and the probe code), gdt.c (the TSS) and traps.c (the frame). */
#include "gdt.h"
#include "io.h"
#include "kernel.h"
#include "paging.h"
#include "pmem.h"
#include "traps.h"
#include "usermode.h"

/* Just past the identity map, in a page table of their own: on i386 below
 * the window (in its 4 MiB), on x86-64 at 4 GiB (boot.S maps 0..4 GiB). */
#ifdef __x86_64__
#define USER_CODE_VA 0x100000000ul
#define USER_REACH (2ul << 20)
#else
#define USER_CODE_VA 0x3FC00000u
#define USER_REACH (4u << 20)
#endif
#define USER_STACK_VA (USER_CODE_VA + PAGE_SIZE)
_Static_assert(DEMO_WINDOW_MISSES(USER_CODE_VA, USER_CODE_VA + USER_REACH),
	       "the per-CPU window overlaps the ring-3 probe pages (see configure.ac)");

static uint8_t trap_stack[4096] __attribute__((aligned(16)));

/* Shared with boot.S. */
uintptr_t usermode_saved_sp;
volatile uint32_t usermode_result;
extern char usermode_return[], usermode_code_start[], usermode_code_end[];
uint32_t usermode_call(uintptr_t ip, uintptr_t sp, uintptr_t arg, uint32_t user_cs,
		       uint32_t user_ds);

static volatile uintptr_t fault_addr_seen;
static volatile uint32_t fault_error_seen;
static bool ready;

bool usermode_init(void)
{
	uint32_t code = pmem_alloc_page(), stack = pmem_alloc_page();
	if (!code || !stack || paging_map_user(USER_CODE_VA, code) ||
	    paging_map_user(USER_STACK_VA, stack))
		return false;
	memcpy(phys_to_ptr(code), usermode_code_start,
	       SYM_DISTANCE(usermode_code_end, usermode_code_start));
	gdt_load_tss((uintptr_t)(trap_stack + sizeof(trap_stack)));
	ready = true;
	return true;
}

uintptr_t usermode_page(void) { return USER_CODE_VA; }

void usermode_trap(struct trap_frame *f)
{
	if (f->vector == VEC_USER_RETURN) {
		usermode_result = 0;
	} else {
		fault_addr_seen = read_cr2();
		fault_error_seen = (uint32_t)f->error;
		usermode_result = f->vector == VEC_PAGE_FAULT ? 1 : 2;
	}
	trap_resume_kernel(f, (uintptr_t)usermode_return, usermode_saved_sp);
}

bool usermode_read(uintptr_t addr, uintptr_t *fault_addr, uint32_t *fault_error)
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
