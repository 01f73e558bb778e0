/* loader-verdict: what the demo kernel's module loader (built hosted, on
 * loader-host.c) makes of a module whose module.lds record, or whose
 * stride note, names SHIFT, for tests/contract/contract.sh:
 *
 *   loader-verdict record|note SHIFT MODULE.o
 *
 * prints "stride" when the loader takes SHIFT for a stride (the module
 * loads, or is refused as built for another stride than the kernel's),
 * "not-a-stride" when it refuses SHIFT as no stride at all; any other
 * outcome is an error (exit 1).  The module must carry a record and, for
 * `note`, a stride note. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <percpu-vm/contract.h>

#include "elf32.h"
#include "loader.h"
#include "loader-host.h"

/* SHIFT into the record's shift word or every percpu-vm note's shift. */
static int patch(uint8_t *buf, size_t size, int note, uint32_t shift)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)buf;
	const Elf32_Shdr *sh = (const Elf32_Shdr *)(buf + eh->e_shoff);
	const char *names = (const char *)buf + sh[eh->e_shstrndx].sh_offset;
	int done = 0;

	if (size < sizeof(*eh) || eh->e_shoff > size)
		return 0;
	for (unsigned i = 1; i < eh->e_shnum; i++) {
		uint8_t *p = buf + sh[i].sh_offset, *end = p + sh[i].sh_size;

		if (!note && !strcmp(names + sh[i].sh_name, PERCPU_RECORD_SECTION)) {
			memcpy(p + 4 * PERCPU_RECORD_SHIFT_WORD, &shift, 4);
			done = 1;
		}
		if (!note || sh[i].sh_type != SHT_NOTE)
			continue;
		while (p + sizeof(Elf32_Nhdr) <= end) {
			const Elf32_Nhdr *n = (const Elf32_Nhdr *)p;
			uint8_t *desc = p + sizeof(*n) + ((n->n_namesz + 3) & ~3u);

			if (n->n_type == PERCPU_NOTE_TYPE && n->n_descsz >= PERCPU_NOTE_DESC_SIZE) {
				memcpy(desc + 4, &shift, 4);
				done = 1;
			}
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	return done;
}

int main(int argc, char **argv)
{
	struct loaded_module lm;
	char err[300] = "";
	uint8_t *buf;
	long size;
	FILE *f;
	int rc, status = 0;

	if (argc != 4 || (strcmp(argv[1], "record") && strcmp(argv[1], "note"))) {
		fprintf(stderr, "usage: loader-verdict record|note SHIFT MODULE.o\n");
		return 2;
	}
	f = fopen(argv[3], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) <= 0) {
		fprintf(stderr, "loader-verdict: cannot read %s\n", argv[3]);
		return 2;
	}
	rewind(f);
	buf = malloc((size_t)size);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "loader-verdict: cannot read %s\n", argv[3]);
		return 2;
	}
	fclose(f);
	if (!patch(buf, (size_t)size, !strcmp(argv[1], "note"), (uint32_t)strtoul(argv[2], NULL, 10))) {
		fprintf(stderr, "loader-verdict: %s has no %s to change\n", argv[3], argv[1]);
		return 2;
	}
	if (loader_host_init())
		return 2;
	rc = module_load(loader_host_rt(), buf, (size_t)size, argv[3], 0, &lm, err, sizeof(err));
	if (rc == 0) {
		module_unload(loader_host_rt(), &lm);
		puts("stride");
	} else if (strstr(err, "is not a stride")) {
		puts("not-a-stride");
	} else if (rc == PCPU_ERR_STRIDE && strstr(err, "stride 2^")) {
		puts("stride");
	} else {
		printf("error: %s\n", err);
		status = 1;
	}
	loader_host_fini();
	free(buf);
	return status;
}
