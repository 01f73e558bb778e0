/* plugin/percpu_note.c: the .note.percpu ELF note.
 *
 * Every object built with the plugin in mode=lower records the per-CPU
 * shift it was compiled for (mode=check changes nothing in the object, so
 * it emits none):
 *     namesz 10, descsz 8, type PERCPU_NOTE_TYPE, "percpu-vm\0" (padded),
 *     desc: u32 format version, u32 shift
 * in a section .note.percpu of COMDAT group "percpu_stride_<shift>"
 * (the names and numbers are percpu-vm/contract.h's).  The
 * linker keeps one group per distinct signature, so a linked image or an
 * `ld -r` module has exactly one note per stride used: two notes mean
 * objects built for different strides were mixed, which the layout tool
 * and the module loader refuse.
 *
 * It is a top-level asm statement, not text written to the assembler
 * file: top-level asm is streamed with -flto and reaches the final link,
 * where lto1 runs without the plugin.  The .ifndef guard keeps one note
 * per assembler file when LTO puts several units' asm in one partition. */
#include "percpu_plugin.h"

void
percpu_emit_note (int shift)
{
  static bool emitted;
  char text[1024];
  int len;

  if (emitted)
    return;
  emitted = true;
  len = snprintf (text, sizeof text,
		  "\t.ifndef .Lpercpu_note_%d\n"
		  "\t.set .Lpercpu_note_%d, 1\n"
		  "\t.pushsection " PERCPU_NOTE_SECTION ",\"aG\",@note,"
		  PERCPU_NOTE_GROUP_PREFIX "%d,comdat\n"
		  "\t.balign 4\n"
		  "\t.long %u\n"		/* namesz, with the NUL */
		  "\t.long %u\n"		/* descsz */
		  "\t.long 0x%x\n"		/* type */
		  "\t.asciz \"%s\"\n"
		  "\t.balign 4\n"
		  "\t.long %u\n"		/* format version */
		  "\t.long %d\n"		/* shift */
		  "\t.popsection\n"
		  "\t.endif\n",
		  shift, shift, shift,
		  (unsigned) sizeof PERCPU_NOTE_OWNER, PERCPU_NOTE_DESC_SIZE,
		  PERCPU_NOTE_TYPE, PERCPU_NOTE_OWNER, PERCPU_NOTE_VERSION, shift);
  gcc_assert (len > 0 && (size_t) len < sizeof text);
  symtab->finalize_toplevel_asm (build_string (len, text));
}
