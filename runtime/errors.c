/* errors.c: names for enum pcpu_error, kept apart so the allocator alone
 * (as the layout tool uses it) can report errors without the runtime. */
#include <percpu-vm/runtime.h>

const char *pcpu_strerror(int err)
{
	switch (err) {
	case PCPU_OK: return "success";
	case PCPU_ERR_INVAL: return "invalid argument";
	case PCPU_ERR_ALIGN: return "alignment not a power of two or above a page";
	case PCPU_ERR_NOSPACE: return "no room left in the per-CPU stride";
	case PCPU_ERR_NOTALLOC: return "offset was never allocated";
	case PCPU_ERR_DOUBLEFREE: return "double free";
	case PCPU_ERR_NOMEM: return "out of memory for a data or page-table page";
	case PCPU_ERR_NOMETA: return "allocator bookkeeping full";
	case PCPU_ERR_CPU: return "CPU number out of range or in the wrong online state";
	case PCPU_ERR_STATE: return "call out of order";
	case PCPU_ERR_STRIDE: return "built for another per-CPU stride";
	case PCPU_ERR_MAPPED: return "address already mapped";
	case PCPU_ERR_NOTMAPPED: return "address not mapped";
	case PCPU_ERR_KIND: return "area is of another kind";
	default: return "unknown error";
	}
}
