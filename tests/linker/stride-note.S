/* A .note.percpu like the plugin's (owner "percpu-vm", type 0x50435055,
 * format version 1, the shift), in the COMDAT group percpu_stride_<shift>,
 * for linker tests that run without the plugin.  Assemble with -DSHIFT=n. */
#define STR2(x) #x
#define GROUP(s) percpu_stride_##s
#define G(s) GROUP(s)
	.pushsection .note.percpu,"aG",@note,G(SHIFT),comdat
	.balign 4
	.long 10            /* namesz: "percpu-vm" + NUL */
	.long 8             /* descsz */
	.long 0x50435055    /* type */
	.asciz "percpu-vm"
	.balign 4
	.long 1             /* format version */
	.long SHIFT
	.popsection
	.section .note.GNU-stack,"",@progbits
