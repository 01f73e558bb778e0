/* contract-probe: what percpu-vm/contract.h says, and what the runtime
 * does with it, for tests/contract/contract.sh.
 *
 *   contract-probe values        the shared facts, as shell assignments
 *   contract-probe runtime SHIFT "stride" if pcpu_runtime_init takes a
 *                                window of that shift, else "not-a-stride"
 *
 * The script reads the facts from here rather than restating them, so it
 * holds every part to the header itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <percpu-vm/contract.h>
#include <percpu-vm/runtime.h>

static void print_values(void)
{
	printf("CONTRACT_SHIFT_MIN=%d\n", PERCPU_SHIFT_MIN);
	printf("CONTRACT_SHIFT_MAX=%d\n", PERCPU_SHIFT_MAX);
	printf("CONTRACT_GUARD_SIZE=%u\n", PERCPU_GUARD_SIZE);
	printf("CONTRACT_NOTE_OWNER=%s\n", PERCPU_NOTE_OWNER);
	printf("CONTRACT_NOTE_TYPE=0x%08x\n", PERCPU_NOTE_TYPE);
	printf("CONTRACT_NOTE_VERSION=%u\n", PERCPU_NOTE_VERSION);
	printf("CONTRACT_RECORD_MAGIC=0x%08x\n", PERCPU_RECORD_MAGIC);
	printf("CONTRACT_RECORD_VERSION=%u\n", PERCPU_RECORD_VERSION);
	printf("CONTRACT_RECORD_WORDS=%d\n", (int)PERCPU_RECORD_WORDS);
}

/* Hooks that are never called: init maps nothing. */
static int no_alloc(void *ctx, unsigned cpu, uint64_t *phys)
{
	(void)ctx, (void)cpu, (void)phys;
	return PCPU_ERR_NOMEM;
}

static void no_free(void *ctx, unsigned cpu, uint64_t phys)
{
	(void)ctx, (void)cpu, (void)phys;
}

static int no_map(void *ctx, uintptr_t va, uint64_t phys)
{
	(void)ctx, (void)va, (void)phys;
	return PCPU_ERR_NOMEM;
}

static int no_unmap(void *ctx, uintptr_t va, uint64_t *phys)
{
	(void)ctx, (void)va, (void)phys;
	return PCPU_ERR_NOTMAPPED;
}

/* One CPU, one area, a base one page above 0: only the shift can make
 * pcpu_runtime_init refuse. */
static const char *runtime_verdict(unsigned shift)
{
	static const struct pcpu_arch_ops ops = {
		.alloc_data_page = no_alloc, .free_data_page = no_free,
		.map_page = no_map, .unmap_page = no_unmap,
	};
	static struct pcpu_runtime_storage storage;
	struct pcpu_runtime *rt;
	struct pcpu_params p = { .base = PCPU_PAGE_SIZE, .shift = shift, .nr_cpus = 1,
				 .max_areas = 1, .ops = &ops };
	/* What init needs for the smallest shift, so that a refused size is
	 * the shift's doing and not the memory's. */
	size_t need = pcpu_runtime_meta_size(PCPU_MIN_SHIFT, 1, 1);
	size_t have = pcpu_runtime_meta_size(shift, 1, 1);
	int rc;

	p.meta_size = have > need ? have : need;
	p.meta = malloc(p.meta_size);
	if (!p.meta)
		return "no-memory";
	rc = pcpu_runtime_init(&storage, &p, &rt);
	free(p.meta);
	return rc == PCPU_OK ? "stride" : "not-a-stride";
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "values")) {
		print_values();
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "runtime")) {
		printf("%s\n", runtime_verdict((unsigned)strtoul(argv[2], NULL, 10)));
		return 0;
	}
	fprintf(stderr, "usage: contract-probe values | runtime SHIFT\n");
	return 2;
}
