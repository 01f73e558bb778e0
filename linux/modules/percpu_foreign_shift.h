/* SPDX-License-Identifier: GPL-2.0 */
/*
 * percpu_foreign_shift.h: build a module as if for a kernel configured
 * with another per-CPU stride, 1 << PERCPU_TEST_FOREIGN_SHIFT: the
 * wrong-stride test module, which the vm kernel must refuse.
 *
 * linux/scripts/build-modules.sh gives it to every unit of that module
 * (its source and the modpost-generated .mod.c) with -include in KCFLAGS,
 * together with the plugin's -fplugin-arg-percpu_plugin-shift=N of the
 * same N.  Both must change: <asm-generic/percpu.h> gives __per_cpu_offset
 * percpu_offset_table(CONFIG_VM_PERCPU_SHIFT), and the plugin stops a unit
 * whose headers and flags name different shifts.  KCFLAGS come after
 * Kbuild's -include <linux/kconfig.h>, so the configuration's value is
 * already defined here and is replaced before any header uses it.
 */
#ifndef PERCPU_TEST_FOREIGN_SHIFT
#error "give -DPERCPU_TEST_FOREIGN_SHIFT=N with this header"
#endif
#undef CONFIG_VM_PERCPU_SHIFT
#define CONFIG_VM_PERCPU_SHIFT PERCPU_TEST_FOREIGN_SHIFT
