/* tests/runtime/freestanding-entry.c: an entry point that calls the whole
 * runtime API, compiled freestanding and linked -nostdlib -static against a
 * kernel archive of the runtime (tests/runtime/freestanding.sh for i386,
 * tests/arch/x86_64-archive.sh for x86-64): the link succeeds only if the
 * archive needs nothing a kernel lacks.  It is linked, never run. */
#include <percpu-vm/runtime.h>
static struct pcpu_runtime_storage st;
static unsigned char meta[1 << 16];
static unsigned long offs[4];
void _start(void);
void _start(void)
{
	struct pcpu_runtime *rt;
	struct pcpu_params p = { 0 };
	struct pcpu_stats s;
	uintptr_t a;
	p.meta = meta;
	if (pcpu_runtime_init(&st, &p, &rt) == 0) {
		pcpu_static_init(rt, 0, 0, 0);
		pcpu_module_alloc(rt, 0, 0, 0, 0, &a);
		pcpu_module_free(rt, 0);
		pcpu_dyn_alloc(rt, 0, 0, &a);
		pcpu_dyn_free(rt, 0);
		pcpu_cpu_online(rt, 1);
		pcpu_cpu_offline(rt, 1);
		pcpu_fill_offsets(rt, offs, 4);
		pcpu_get_stats(rt, &s);
		pcpu_api_set_runtime(rt);
		pcpu_api_free(pcpu_api_alloc(4, 4));
	}
	(void)pcpu_strerror(pcpu_runtime_meta_size(20, 4, 8) ? 1 : 2);
	for (;;)
		;
}
