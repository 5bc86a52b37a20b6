#include "hepabus_stdio.h"

FILE *hepabus_swap_stdout(FILE *replacement) {
    FILE *previous = stdout;
    fflush(previous);
    stdout = replacement;
    return previous;
}

FILE *hepabus_swap_stderr(FILE *replacement) {
    FILE *previous = stderr;
    fflush(previous);
    stderr = replacement;
    return previous;
}
