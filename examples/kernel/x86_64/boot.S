/* x86_64/boot.S: the x86-64 demo kernel's entry from a Multiboot loader,
 * the long-mode switch, the boot page tables and GDT, the trap entry stubs
 * and the fault probes.
 *
 * qemu -kernel loads a Multiboot 1 kernel, but refuses an ELF64 one ("give
 * a 32bit one"), so this header sets the a.out kludge (flag 16): qemu then
 * copies the file as it is to load_addr and jumps to entry_addr in 32-bit
 * protected mode, paging off.  The file qemu boots is therefore the flat
 * image `objcopy -O binary` makes of the linked ELF64 (examples/
 * Makefile.inc: demo-kernel-x86_64-*.bin), .bss included, so load_end_addr
 * and bss_end_addr are 0 ("the whole file") and qemu puts the boot
 * information and modules after all of it.
 *
 * The image is linked at KERNEL_VIRT_BASE + 1 MiB (ldscripts/
 * kernel-x86_64.lds) and loaded at 1 MiB: the 32-bit code here runs at the
 * physical addresses, PHYS(x).  It builds a PML4 with the first 4 GiB
 * identity mapped (low RAM, the firmware tables, the APICs; 2 MiB pages,
 * supervisor-only) and the first GiB again at KERNEL_VIRT_BASE (the
 * image, -mcmodel=kernel), turns on PAE, EFER.LME and EFER.NXE, paging
 * and write protection, and jumps through a 64-bit code segment to
 * long_entry, then to the image's own address.  PML4 slot 511's PDPT
 * entry 511 (the top GiB, the per-CPU window) stays empty: the runtime
 * maps the window page by page. */

#define KERNEL_VIRT_BASE 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VIRT_BASE)

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00010003 /* page-aligned modules, memory information, a.out kludge */

#define PTE_P_RW 0x003
#define PTE_LARGE 0x083 /* present, writable, 2 MiB page */

	.section .multiboot, "a"
	.align 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long PHYS(mb_header)        /* header_addr */
	.long PHYS(mb_header)        /* load_addr: the file's first byte (.multiboot is first) */
	.long 0                      /* load_end_addr: the whole file */
	.long 0                      /* bss_end_addr: none beyond the file */
	.long PHYS(_start)           /* entry_addr */

	.section .bss
	.align 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4 * 4096  /* 0..4 GiB in 2 MiB pages */
	.align 16
boot_stack:
	.skip 16384
boot_stack_top:

	.data
	.align 4
boot_magic:	.long 0
boot_info:	.long 0
/* The GDT (gdt.c fills the TSS descriptor): 0x08 64-bit kernel code, 0x10
 * kernel data, 0x18 32-bit kernel code (the boot path and the AP
 * trampoline), 0x20 user data, 0x28 64-bit user code, 0x30 the TSS (16
 * bytes in long mode). */
	.align 16
	.globl demo_gdt, demo_gdt_end
demo_gdt:
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x00cf9a000000ffff
	.quad 0x00cff2000000ffff
	.quad 0x00affa000000ffff
	.quad 0, 0
demo_gdt_end:
boot_gdtr:
	.word demo_gdt_end - demo_gdt - 1
	.long PHYS(demo_gdt)

	.section .text
	.code32
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	movl %eax, PHYS(boot_magic)
	movl %ebx, PHYS(boot_info)
	movl $PHYS(boot_stack_top), %esp
	pushl $0
	popfl

	/* Long mode is what this kernel is for: without it, say so on COM1. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	testl $(1 << 29), %edx
	jz no_long_mode
	movl %edx, %esi             /* bit 20: NX */

	/* .bss is in the file (zero), so the tables start empty. */
	movl $PHYS(boot_pdpt_low) + PTE_P_RW, PHYS(boot_pml4)
	movl $PHYS(boot_pdpt_high) + PTE_P_RW, PHYS(boot_pml4) + 511 * 8
	movl $PHYS(boot_pd) + PTE_P_RW, %eax
	movl $PHYS(boot_pdpt_low), %edi
	movl $4, %ecx
1:	movl %eax, (%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b
	movl $PHYS(boot_pd) + PTE_P_RW, PHYS(boot_pdpt_high) + 510 * 8
	/* 2048 PD entries: entry n maps n * 2 MiB (bits 32.. of the address
	 * in the entry's high half). */
	movl $PHYS(boot_pd), %edi
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $PTE_LARGE, %eax
	movl %eax, (%edi)
	movl %ecx, %eax
	shrl $11, %eax
	movl %eax, 4(%edi)
	addl $8, %edi
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	movl %cr4, %eax
	orl $0x20, %eax             /* PAE */
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx      /* EFER: LME, and NXE when the CPU has NX */
	rdmsr
	orl $0x100, %eax
	testl $(1 << 20), %esi
	jz 3f
	orl $0x800, %eax
3:	wrmsr
	movl %cr0, %eax
	orl $0x80010000, %eax       /* PG | WP */
	movl %eax, %cr0
	lgdt PHYS(boot_gdtr)
	ljmp $0x08, $PHYS(long_entry)

no_long_mode:
	movl $PHYS(no_lm_msg), %esi
4:	lodsb
	testb %al, %al
	jz 5f
	movw $0x3F8, %dx
	outb %al, %dx
	jmp 4b
5:	cli
	hlt
	jmp 5b

	.code64
long_entry:
	movabsq $higher_half, %rax
	jmp *%rax
higher_half:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_magic(%rip), %edi
	movl boot_info(%rip), %esi
	call kernel_main
6:	cli
	hlt
	jmp 6b
	.size _start, . - _start

	.section .rodata
no_lm_msg:
	.asciz "percpu-vm x86-64 demo: this CPU has no long mode (run qemu-system-x86_64)\r\n"

	.section .text
/* Trap stubs: every vector the demo uses pushes (error code, vector) so
 * the C handler sees one frame layout (struct trap_frame in traps.h). */
.macro TRAP_NOERR vec
	.globl trap_stub_\vec
trap_stub_\vec:
	pushq $0
	pushq $\vec
	jmp trap_common
.endm
.macro TRAP_ERR vec
	.globl trap_stub_\vec
trap_stub_\vec:
	pushq $\vec
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
	TRAP_NOERR 129  /* return from ring 3 */
	TRAP_NOERR 240  /* TLB shootdown IPI */
	TRAP_NOERR 241  /* wake-up IPI */
	TRAP_NOERR 255  /* LAPIC spurious */

/* Saves the general registers in struct trap_frame's order; the CPU
 * pushed SS, RSP, RFLAGS, CS and RIP (always, in long mode), so the frame
 * is 16-byte aligned as the call needs once the 15 registers are on. */
trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	movq %rsp, %rbx
	andq $-16, %rsp
	call trap_dispatch
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp    /* vector, error code */
	iretq

/* Fault probes (see traps.c): one instruction that may fault and a fixup
 * the page-fault handler resumes at; 0 when the access worked, 1 when it
 * faulted.  Arguments in %rdi, %rsi (SysV). */
.macro write_probe name, store
	.globl \name, \name\()_insn, \name\()_fixup
\name:
\name\()_insn:
	\store
	xorl %eax, %eax
	ret
\name\()_fixup:
	movl $1, %eax
	ret
.endm

/* int probe_write32(volatile uint32_t *addr, uint32_t value) */
	write_probe probe_write32, "movl %esi, (%rdi)"
/* int probe_write8(volatile uint8_t *addr, uint8_t value) */
	write_probe probe_write8, "movb %sil, (%rdi)"

/* int probe_read32(const volatile uint32_t *addr, uint32_t *out) */
	.globl probe_read32, probe_read32_insn, probe_read32_fixup
probe_read32:
probe_read32_insn:
	movl (%rdi), %eax
	movl %eax, (%rsi)
	xorl %eax, %eax
	ret
probe_read32_fixup:
	movl $1, %eax
	ret

/* int probe_exec(void *code): calls `code`, which must be a `ret`; if the
 * fetch faults, the handler resumes at probe_exec_fixup, which drops the
 * return address the call pushed. */
	.globl probe_exec, probe_exec_fixup
probe_exec:
	call *%rdi
	xorl %eax, %eax
	ret
probe_exec_fixup:
	addq $8, %rsp
	movl $1, %eax
	ret

/* uint32_t usermode_call(uintptr_t rip, uintptr_t rsp, uintptr_t arg,
 *                        uint32_t user_cs, uint32_t user_ds)
 * Runs ring-3 code at rip on the stack rsp with %rax = arg, interrupts off
 * (as i386's, ../boot.S).  It comes back when that code traps to the
 * kernel (int $0x81, or a fault the handler turns into a return; see
 * usermode.c) at usermode_return, with the value the handler left in
 * usermode_result.  The iretq to ring 3 nulls %ds and %es (ring-0
 * segments); %fs and %gs are null selectors already, so the GS base, the
 * per-CPU offset, is left as it is. */
	.globl usermode_call, usermode_return
usermode_call:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, usermode_saved_sp(%rip)
	movq %rdx, %rax
	movl %ecx, %ecx
	movl %r8d, %r8d
	pushq %r8            /* ss */
	pushq %rsi           /* rsp */
	pushq $0x2           /* rflags: IF clear */
	pushq %rcx           /* cs */
	pushq %rdi           /* rip */
	iretq
usermode_return:
	movq usermode_saved_sp(%rip), %rsp
	movl $0x10, %eax
	movw %ax, %ds
	movw %ax, %es
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movl usermode_result(%rip), %eax
	ret

/* The ring-3 probe, copied into a user page: read the word at %rax, then
 * trap back to the kernel. */
	.globl usermode_code_start, usermode_code_end
usermode_code_start:
	movl (%rax), %ebx
	int $0x81
1:	jmp 1b
usermode_code_end:

	.section .note.GNU-stack, "", @progbits
