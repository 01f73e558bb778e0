/* percpu-layout-bfd.h: the libbfd side of the reader (percpu-layout-read.c,
 * percpu-layout-bfdmsg.c); the rest of the tool does not see libbfd. */
#ifndef PERCPU_LAYOUT_BFD_H
#define PERCPU_LAYOUT_BFD_H

#include <bfd.h> /* after config.h: it wants PACKAGE and PACKAGE_VERSION */
#include <stdbool.h>

/* Route libbfd's error handler into the complaint; once per process. */
void layout_bfd_messages_init(void);
/* The first thing libbfd said about the current file ("" if nothing). */
const char *layout_bfd_complaint(void);
void layout_bfd_complaint_reset(void);
/* Drop a leading "PATH " from the complaint. */
void layout_bfd_complaint_drop_path(const char *path);
/* bfd_check_format(abfd, bfd_object) with its stderr warnings kept as the
 * complaint instead of printed. */
bool layout_bfd_check_format_quietly(bfd *abfd);

#endif /* PERCPU_LAYOUT_BFD_H */
