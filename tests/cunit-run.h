/* tests/cunit-run.h: the main() every CUnit test program shares: register
 * one suite of named tests, run it verbosely, and exit 0 only if every
 * assertion held, 1 if one failed, 2 if CUnit itself could not run. */
#ifndef PERCPU_VM_TESTS_CUNIT_RUN_H
#define PERCPU_VM_TESTS_CUNIT_RUN_H

#include <stddef.h>
#include <CUnit/Basic.h>

struct cunit_test {
	const char *name;
	void (*fn)(void);
};

static inline int cunit_run_suite(const char *suite_name, const struct cunit_test *tests,
				  size_t n)
{
	CU_pSuite suite;
	unsigned failures;
	int status = 2;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite = CU_add_suite(suite_name, NULL, NULL);
	if (!suite)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!CU_add_test(suite, tests[i].name, tests[i].fn))
			goto out;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS)
		goto out;
	failures = CU_get_number_of_failures();
	status = failures ? 1 : 0;
out:
	CU_cleanup_registry();
	return status;
}

/* Tests run in the order of the array (some suites rely on it). */
#define CUNIT_RUN(suite_name, tests) \
	cunit_run_suite((suite_name), (tests), sizeof(tests) / sizeof((tests)[0]))

#endif /* PERCPU_VM_TESTS_CUNIT_RUN_H */
