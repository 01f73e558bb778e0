/* Hosted VM mode: a user-space program's own per-CPU section becomes the
 * runtime's static area in the hosted window (see percpu-vm/arch/hosted.h
 * and ldscripts/percpu-hosted.lds.in).
 *
 * The program is linked with CPU 0's copy of .data.percpu/.bss.percpu at
 * PERCPU_HOSTED_BASE, so the kernel's ELF loader has already mapped it
 * there.  That copy is the template: it is copied aside first, because the
 * runtime then maps its own pages over CPU 0's part of the window (the
 * hosted backend adopts the loader's mapping instead of refusing the range)
 * and fills every online CPU's copy from the template. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <percpu-vm/percpu.h>
#include <percpu-vm/hosted.h>
#include <percpu-vm/runtime.h>

/* Enough for the static area, modules a test loads and its dynamic areas. */
#define HOSTED_MAX_AREAS 256u

static struct {
	struct pcpu_hosted *h;
	struct pcpu_runtime_storage storage;
	struct pcpu_runtime *rt;
	void *meta;
	unsigned char *tmpl;
} vm;

/* A byte copy the sanitizer does not check: the loaded section holds the
 * redzones AddressSanitizer puts between instrumented globals, which are
 * poisoned but still part of the layout every CPU's copy must have. */
__attribute__((no_sanitize_address))
static void copy_template(unsigned char *dst, const volatile unsigned char *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[i];
}

static int fail(char *err, size_t err_len, int rc, const char *what)
{
	if (err_len)
		snprintf(err, err_len, "percpu hosted VM mode: %s: %s", what, pcpu_strerror(rc));
	pcpu_hosted_vm_stop();
	return rc;
}

int pcpu_hosted_vm_start(unsigned nr_cpus, char *err, size_t err_len)
{
	size_t init = percpu_static_init_size();
	size_t zero = percpu_static_zero_size();
	struct pcpu_hosted_params hp = { 0 };
	struct pcpu_params p;
	size_t msize;
	unsigned cpu;
	int rc;

	if (vm.rt)
		return fail(err, err_len, PCPU_ERR_STATE, "already started");
	if ((uintptr_t)__per_cpu_start != (uintptr_t)PERCPU_HOSTED_BASE) {
		if (err_len)
			snprintf(err, err_len, "percpu hosted VM mode: .data.percpu is at %p, not at "
				 "PERCPU_HOSTED_BASE %#llx: link with -T percpu-hosted.lds",
				 (void *)__per_cpu_start, (unsigned long long)PERCPU_HOSTED_BASE);
		return PCPU_ERR_STATE;
	}
	if (nr_cpus == 0 || nr_cpus > NR_CPUS)
		return fail(err, err_len, PCPU_ERR_CPU, "CPU count out of range");

	vm.tmpl = malloc(init ? init : 1);
	if (!vm.tmpl)
		return fail(err, err_len, PCPU_ERR_NOMEM, "template copy");
	copy_template(vm.tmpl, (const volatile unsigned char *)__per_cpu_start, init);

	hp.base = (uintptr_t)PERCPU_HOSTED_BASE;
	hp.shift = PERCPU_SHIFT;
	hp.nr_cpus = nr_cpus;
	hp.adopt_existing = true;
	rc = pcpu_hosted_create(&hp, &vm.h, err, err_len);
	if (rc) {
		vm.h = NULL;
		pcpu_hosted_vm_stop();
		return rc;
	}

	msize = pcpu_runtime_meta_size(PERCPU_SHIFT, nr_cpus, HOSTED_MAX_AREAS);
	vm.meta = msize ? malloc(msize) : NULL;
	if (!vm.meta)
		return fail(err, err_len, PCPU_ERR_NOMEM, "runtime bookkeeping");
	p.base = hp.base;
	p.shift = PERCPU_SHIFT;
	p.nr_cpus = nr_cpus;
	p.max_areas = HOSTED_MAX_AREAS;
	p.meta = vm.meta;
	p.meta_size = msize;
	p.ops = pcpu_hosted_ops(vm.h);
	rc = pcpu_runtime_init(&vm.storage, &p, &vm.rt);
	if (rc)
		return fail(err, err_len, rc, "runtime init");
	for (cpu = 1; cpu < nr_cpus; cpu++) {
		rc = pcpu_cpu_online(vm.rt, cpu);
		if (rc)
			return fail(err, err_len, rc, "CPU online");
	}
	if (init + zero) {
		rc = pcpu_static_init(vm.rt, vm.tmpl, init, zero);
		if (rc)
			return fail(err, err_len, rc, "static area");
	}
	pcpu_fill_offsets(vm.rt, __per_cpu_offset, NR_CPUS);
	pcpu_api_set_runtime(vm.rt);
	return 0;
}

void pcpu_hosted_vm_stop(void)
{
	if (vm.rt)
		pcpu_api_set_runtime(NULL);
	if (vm.h)
		pcpu_hosted_destroy(vm.h);
	free(vm.meta);
	free(vm.tmpl);
	vm.h = NULL;
	vm.rt = NULL;
	vm.meta = NULL;
	vm.tmpl = NULL;
}

struct pcpu_runtime *pcpu_hosted_vm_runtime(void)
{
	return vm.rt;
}
