/* spinlock.h: a test-and-test-and-set spinlock that also disables
 * interrupts on the CPU holding it (the TLB shootdown IPI must not run a
 * handler that waits on a lock its own CPU holds). */
#ifndef DEMO_SPINLOCK_H
#define DEMO_SPINLOCK_H

#include <stdint.h>
#include "io.h"

struct spinlock {
	volatile uint32_t locked;
	uint32_t saved_flags;
};

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(struct spinlock *l)
{
	uint32_t flags = irq_save();
	for (;;) {
		if (!__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
			break;
		/* Wait with interrupts as the caller had them, so a CPU that
		 * waits here still answers the holder's TLB shootdown. */
		irq_restore(flags);
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
		flags = irq_save();
	}
	l->saved_flags = flags;
}

static inline void spin_unlock(struct spinlock *l)
{
	uint32_t flags = l->saved_flags;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	irq_restore(flags);
}

#endif
