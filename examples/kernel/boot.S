/* boot.S: the demo kernel's entry from a Multiboot loader (qemu -kernel),
 * the boot CPU's stack, the trap entry stubs and the fault-probing helpers.
 *
 * The loader enters in 32-bit protected mode with paging off, EAX holding
 * the Multiboot magic and EBX the boot information; everything else
 * (GDT, IDT, paging, the per-CPU window) is set up in C. */

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-aligned modules, memory information */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .bss
	.align 16
boot_stack:
	.skip 16384
boot_stack_top:

	.text
	.globl _start
	.type _start, @function
_start:
	cli
	movl $boot_stack_top, %esp
	xorl %ebp, %ebp
	pushl $0          /* clear EFLAGS (direction flag, IF) */
	popfl
	pushl %ebx        /* multiboot info */
	pushl %eax        /* multiboot magic */
	call kernel_main
1:	cli
	hlt
	jmp 1b
	.size _start, . - _start

/* Trap stubs: every vector the demo uses pushes (error code, vector) so
 * the C handler sees one frame layout (struct trap_frame in traps.h). */
.macro TRAP_NOERR vec
	.globl trap_stub_\vec
trap_stub_\vec:
	pushl $0
	pushl $\vec
	jmp trap_common
.endm
.macro TRAP_ERR vec
	.globl trap_stub_\vec
trap_stub_\vec:
	pushl $\vec
	jmp trap_common
.endm

	TRAP_NOERR 0
	TRAP_NOERR 1
	TRAP_NOERR 2
	TRAP_NOERR 3
	TRAP_NOERR 4
	TRAP_NOERR 5
	TRAP_NOERR 6
	TRAP_NOERR 7
	TRAP_ERR   8
	TRAP_NOERR 9
	TRAP_ERR   10
	TRAP_ERR   11
	TRAP_ERR   12
	TRAP_ERR   13
	TRAP_ERR   14
	TRAP_NOERR 15
	TRAP_NOERR 16
	TRAP_ERR   17
	TRAP_NOERR 18
	TRAP_NOERR 19
	TRAP_NOERR 129  /* return from ring 3 (usermode.c) */
	TRAP_NOERR 240  /* TLB shootdown IPI */
	TRAP_NOERR 241  /* wake-up IPI */
	TRAP_NOERR 255  /* LAPIC spurious */

trap_common:
	pushal
	cld
	pushl %esp        /* struct trap_frame * */
	call trap_dispatch
	addl $4, %esp
	popal
	addl $8, %esp     /* vector, error code */
	iret

/* Fault probes.  Each has one instruction that may fault and a fixup the
 * page-fault handler resumes at (see traps.c): they return 0 when the
 * access worked and 1 when it faulted. */

/* A write probe NAME(addr, value): `store` writes %eax (the value) or
 * its low part to (%edx) (the address), the one instruction that may fault
 * (NAME_insn, resumed at NAME_fixup). */
.macro write_probe name, store
	.globl \name, \name\()_insn, \name\()_fixup
\name:
	movl 4(%esp), %edx
	movl 8(%esp), %eax
\name\()_insn:
	\store
	xorl %eax, %eax
	ret
\name\()_fixup:
	movl $1, %eax
	ret
.endm

/* int probe_write32(volatile uint32_t *addr, uint32_t value) */
	write_probe probe_write32, "movl %eax, (%edx)"
/* int probe_write8(volatile uint8_t *addr, uint8_t value): one byte, for
 * writes that must not touch the bytes after `addr` (the guard-page probe
 * writes the last usable byte of a stride, then the first of its guard). */
	write_probe probe_write8, "movb %al, (%edx)"

/* int probe_read32(const volatile uint32_t *addr, uint32_t *out) */
	.globl probe_read32, probe_read32_insn, probe_read32_fixup
probe_read32:
	movl 4(%esp), %edx
probe_read32_insn:
	movl (%edx), %eax
	movl 8(%esp), %edx
	movl %eax, (%edx)
	xorl %eax, %eax
	ret
probe_read32_fixup:
	movl $1, %eax
	ret

/* int probe_exec(void *code): calls `code`, which must be a `ret`.  If
 * fetching it faults, the handler resumes at probe_exec_fixup, which drops
 * the return address the call pushed. */
	.globl probe_exec, probe_exec_fixup
probe_exec:
	movl 4(%esp), %eax
	call *%eax
	xorl %eax, %eax
	ret
probe_exec_fixup:
	addl $4, %esp
	movl $1, %eax
	ret

/* uint32_t usermode_call(uintptr_t eip, uintptr_t esp, uintptr_t arg,
 *                        uint32_t user_cs, uint32_t user_ds)
 * Runs ring-3 code at eip on the stack esp with %eax = arg, interrupts off.
 * It comes back when that code traps to the kernel (int $0x81, or a fault
 * the handler turns into a return; see usermode.c), with the value the
 * handler left in usermode_result. */
	.globl usermode_call, usermode_return
usermode_call:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	xorl %eax, %eax
	movw %fs, %ax
	pushl %eax
	movl %esp, usermode_saved_sp
	movl 24(%esp), %ecx  /* eip */
	movl 28(%esp), %edx  /* esp */
	movl 36(%esp), %esi  /* user code selector */
	movl 40(%esp), %edi  /* user data selector */
	movl 32(%esp), %eax  /* arg */
	pushl %edi           /* ss */
	pushl %edx           /* esp */
	pushl $0x2           /* eflags: IF clear */
	pushl %esi           /* cs */
	pushl %ecx           /* eip */
	movw %di, %ds
	movw %di, %es
	movw %di, %fs
	movw %di, %gs
	iret
usermode_return:
	movl usermode_saved_sp, %esp
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %gs
	movw %ax, %ss
	popl %eax
	movw %ax, %fs
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	movl usermode_result, %eax
	ret

/* The ring-3 probe, copied into a user page: read the word at %eax, then
 * trap back to the kernel. */
	.globl usermode_code_start, usermode_code_end
usermode_code_start:
	movl (%eax), %ebx
	int $0x81
1:	jmp 1b
usermode_code_end:

	.section .note.GNU-stack, "", @progbits
