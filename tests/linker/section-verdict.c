/* section-verdict: print percpu-vm/contract.h's verdict on each section
 * name given, one "NAME KIND" line each (KIND: none, data,
 * data-page-aligned, zero), so the tests compare the linker scripts, the
 * plugin and percpu-layout with the header itself instead of restating
 * its rule. */
#include <stdio.h>

#include <percpu-vm/contract.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("%s %s\n", argv[i], percpu_section_kind_name(percpu_section_classify(argv[i])));
	return 0;
}
