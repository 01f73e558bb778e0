/* exit.c: leave qemu with a status the tests can assert on.  qemu's
 * isa-debug-exit device makes qemu exit with (value << 1) | 1.  The demo's
 * scripts put it at port 0xF4 (iobase=0xf4,iosize=0x04); a bare
 * `-device isa-debug-exit` sits at its default port 0x501, so both are
 * written (a write to a port with no device is ignored).  Without the
 * device the CPU halts. */
#include "io.h"
#include "kernel.h"

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

void demo_exit(uint8_t code)
{
	outl(0xF4, code);
	outw(0x501, code);
	for (;;) {
		irq_disable();
		__asm__ volatile("hlt");
	}
}
