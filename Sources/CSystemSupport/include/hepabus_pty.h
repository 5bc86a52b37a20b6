#ifndef HEPABUS_PTY_SUPPORT_H
#define HEPABUS_PTY_SUPPORT_H
#include <stddef.h>

/// posix_openpt(3) + grantpt(3) + unlockpt(3) + ptsname_r(3), which glibc only
/// declares under _XOPEN_SOURCE (not visible to Swift). Returns the primary fd
/// (O_RDWR | O_NOCTTY | O_CLOEXEC) and writes the secondary's path into `name`,
/// or returns -1 with errno set.
int hepabus_open_pty(char *name, size_t name_length);
#endif
