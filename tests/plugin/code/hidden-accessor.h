/* tests/plugin/code/hidden-accessor.h: per_cpu() in the shape Linux's
 * accessors have, written for these tests: the variable's address goes
 * through an empty asm (which hides from GCC where the result points)
 * before the offset-table entry is added as an integer.  The plugin must
 * see one access to the variable through it, not an asm access and a
 * second one to an unknown object. */
#ifndef HIDDEN_ACCESSOR_H
#define HIDDEN_ACCESSOR_H

#define hide_address(addr) __extension__ ({                              \
	unsigned long hidden_;                                           \
	__asm__ ("" : "=r" (hidden_) : "0" (addr));                      \
	hidden_;                                                         \
})
#define hidden_per_cpu(var, cpu) \
	(*(__typeof__(&(var)))(hide_address(&(var)) + __per_cpu_offset[(cpu)]))

#endif
