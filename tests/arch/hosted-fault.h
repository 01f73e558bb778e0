/* tests/arch/hosted-fault.h: does touching an address kill a process with
 * SIGSEGV?  Checked in a fork()ed child, so the test itself survives.
 *
 * The child puts SIGSEGV back to its default action with the raw system
 * call: under AddressSanitizer the libc sigaction is intercepted and ASan's
 * own handler would turn the fault into an exit(1) report. */
#ifndef TESTS_ARCH_HOSTED_FAULT_H
#define TESTS_ARCH_HOSTED_FAULT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum touch_kind { TOUCH_READ, TOUCH_WRITE };

/* True when the child dies of SIGSEGV touching `addr`; false when the
 * access succeeds (the child exits 0) or anything else happens. */
static inline bool touch_faults(uintptr_t addr, enum touch_kind kind)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return false;
	if (pid == 0) {
		struct {
			void *handler;
			unsigned long flags;
			void *restorer;
			unsigned long mask;
		} dfl = { (void *)SIG_DFL, 0, 0, 0 };
		syscall(SYS_rt_sigaction, SIGSEGV, &dfl, (void *)0, sizeof(dfl.mask));
		if (kind == TOUCH_READ)
			(void)*(volatile unsigned char *)addr;
		else
			*(volatile unsigned char *)addr = 1;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/* True when the child can read and write `addr` (exits 0). */
static inline bool touch_works(uintptr_t addr)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return false;
	if (pid == 0) {
		volatile unsigned char *p = (volatile unsigned char *)addr;
		*p = (unsigned char)(*p + 1);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#endif
