#!/bin/sh
# layout-gen-object.sh N: assembler source of an i386 object with N per-CPU
# variables (for make bench-layout): a stride note, sizes 1..4 KiB at their
# natural alignments, two in three initialised (.data.percpu), the rest
# zero (.bss.percpu), one in four local.  Deterministic.
n=${1:-50000}
cat <<'NOTE'
	.section .note.percpu,"aG",@note,percpu_stride_20,comdat
	.balign 4
	.long 10, 8, 0x50435055
	.asciz "percpu-vm"
	.balign 4
	.long 1, 20
NOTE
awk -v n="$n" 'BEGIN {
	split("1 2 4 8 12 16 24 32 64 128 256 4096", sizes, " ")
	for (i = 0; i < n; i++) {
		size = sizes[(i * 7) % 12 + 1]
		align = 1
		while (align * 2 <= size && align < 64) align *= 2
		name = sprintf("pcpu_bench_var_%05d", i)
		if (i % 3 == 2)
			printf "\t.section .bss.percpu,\"aw\",@nobits\n"
		else
			printf "\t.section .data.percpu,\"aw\",@progbits\n"
		if (i % 4 != 3)
			printf "\t.globl %s\n", name
		printf "\t.balign %d\n\t.type %s,@object\n\t.size %s,%d\n%s:\n\t.zero %d\n",
			align, name, name, size, name, size
	}
}'
