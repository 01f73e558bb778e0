/* plugin/gcc-common.h: every GCC header the percpu plugin uses, in the
 * order GCC needs them, plus the few shims that keep one source building
 * against the plugin headers of GCC 11 and GCC 12.
 *
 * GCC's internal API is not stable: each plugin is compiled against the
 * headers of exactly the GCC that loads it (plugin_default_version_check
 * enforces that), so differences between versions are absorbed here and
 * nowhere else. */
#ifndef PERCPU_GCC_COMMON_H
#define PERCPU_GCC_COMMON_H

#include "gcc-plugin.h"
#include "config.h"
#include "system.h"
#include "coretypes.h"
#include "backend.h"
#include "tree.h"
#include "gimple.h"
#include "tree-pass.h"
#include "ssa.h"
#include "cgraph.h"
#include "context.h"
#include "function.h"
#include "basic-block.h"
#include "gimple-iterator.h"
#include "gimple-fold.h"
#include "gimple-walk.h"
#include "gimple-pretty-print.h"
#include "tree-cfg.h"
#include "tree-ssa-dce.h"
#include "tree-dfa.h"
#include "stringpool.h"
#include "attribs.h"
#include "varasm.h"
#include "target.h"
#include "stor-layout.h"
#include "fold-const.h"
#include "diagnostic.h"
#include "diagnostic-core.h"
#include "intl.h"
#include "output.h"
#include "toplev.h"
#include "langhooks.h"
#include "line-map.h"
#include "input.h"

/* The major version of the GCC these headers belong to (plugin-version.h,
 * which defines gcc_version, is included by percpu_plugin.c alone). */
#include "bversion.h"
#define PERCPU_GCC_MAJOR BUILDING_GCC_MAJOR

#if PERCPU_GCC_MAJOR < 11 || PERCPU_GCC_MAJOR > 13
#error "percpu plugin: written for the plugin headers of GCC 11 and 12 (13 should work; 14 changed the attribute tables)"
#endif

/* GCC 11 and 12 agree on everything the plugin touches (attribute_spec,
 * gimple_build on a sequence, the pass classes, symtab iteration).  Shims
 * for small spelling differences go below so the other files never test
 * a version. */

/* DECL_SECTION_NAME returns a const char * since GCC 5: give it a name
 * that says "may be null". */
static inline const char *
percpu_decl_section (const_tree decl)
{
  return DECL_SECTION_NAME (decl);
}

#endif /* PERCPU_GCC_COMMON_H */
