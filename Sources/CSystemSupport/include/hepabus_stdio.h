#ifndef HEPABUS_STDIO_SUPPORT_H
#define HEPABUS_STDIO_SUPPORT_H
#include <stdio.h>

/// Replaces the process's `stdout` stream and returns the previous one.
/// libmodbus prints its debug frames with printf(3); swapping `stdout` for an
/// open_memstream(3) stream is how we capture them for frame tracing.
FILE *hepabus_swap_stdout(FILE *replacement);

/// The same for `stderr`, where libmodbus prints its own error lines in debug mode
/// (our error values already say what went wrong, so those lines are dropped).
FILE *hepabus_swap_stderr(FILE *replacement);
#endif
