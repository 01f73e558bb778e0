/* trampoline.S: where an application processor starts.  The boot CPU
 * copies [tramp_start, tramp_end) to TRAMP_BASE (below 1 MiB, where a
 * Startup IPI can point), fills the parameters at its end, and sends
 * INIT-SIPI-SIPI.  The AP wakes in real mode at TRAMP_BASE, loads the
 * kernel's GDT, enters protected mode, turns on paging with the boot CPU's
 * page tables and calls the C entry with its CPU number and stack. */

#define TRAMP_BASE 0x8000
#define REL(x) (TRAMP_BASE + ((x) - tramp_start))

	.text
	.code16
	.globl tramp_start, tramp_end
	.globl tramp_gdtr, tramp_cr3, tramp_cr4, tramp_nx, tramp_stack, tramp_entry, tramp_cpu
tramp_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl REL(tramp_gdtr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $REL(tramp_pm)

	.code32
tramp_pm:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %gs
	xorw %ax, %ax
	movw %ax, %fs
	movl REL(tramp_cr4), %eax
	movl %eax, %cr4
	cmpl $0, REL(tramp_nx)
	je 1f
	movl $0xC0000080, %ecx /* EFER.NXE, as the boot CPU has it */
	rdmsr
	orl $0x800, %eax
	wrmsr
1:	movl REL(tramp_cr3), %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80010000, %eax  /* PG | WP */
	movl %eax, %cr0
	movl REL(tramp_stack), %esp
	xorl %ebp, %ebp
	pushl REL(tramp_cpu)
	call *REL(tramp_entry)
2:	cli
	hlt
	jmp 2b

	.align 8
tramp_gdtr:	.word 0
		.long 0
		.align 4
tramp_cr3:	.long 0
tramp_cr4:	.long 0
tramp_nx:	.long 0
tramp_stack:	.long 0
tramp_entry:	.long 0
tramp_cpu:	.long 0
tramp_end:

	.section .note.GNU-stack, "", @progbits
