/* x86_64/trampoline.S: where an application processor of the x86-64 demo
 * starts.  The boot CPU (../smp.c, shared with i386) copies [tramp_start,
 * tramp_end) to TRAMP_BASE (below 1 MiB, where a Startup IPI can point),
 * fills the parameters at its end and sends INIT-SIPI-SIPI.  The AP wakes
 * in real mode at TRAMP_BASE and goes 16 -> 32 -> 64 bits: it loads the
 * kernel's GDT by its physical address (gdt_describe()), enters protected
 * mode through the 32-bit code segment (0x18), turns on PAE, EFER.LME (and
 * NXE as the boot CPU has it), the boot CPU's PML4 and paging, which
 * activates long mode, and jumps through the 64-bit code segment (0x08).
 * The C entry's address is a kernel-code-model address stored in 32 bits
 * (tramp_entry): sign-extending it gives the full address back. */

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
	ljmpl $0x18, $REL(tramp_pm)

	.code32
tramp_pm:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movl REL(tramp_cr4), %eax
	movl %eax, %cr4
	movl REL(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx /* EFER: LME, and NXE as the boot CPU has it */
	rdmsr
	orl $0x100, %eax
	cmpl $0, REL(tramp_nx)
	je 1f
	orl $0x800, %eax
1:	wrmsr
	movl %cr0, %eax
	orl $0x80010000, %eax  /* PG | WP: long mode is active from here */
	movl %eax, %cr0
	ljmpl $0x08, $REL(tramp_lm)

	.code64
tramp_lm:
	movl REL(tramp_stack), %esp /* zero-extended into %rsp */
	xorl %ebp, %ebp
	movl REL(tramp_cpu), %edi
	movslq REL(tramp_entry), %rax
	call *%rax
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
