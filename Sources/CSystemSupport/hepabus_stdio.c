#include "hepabus_stdio.h"

FILE *hepabus_swap_stdout(FILE *replacement) {
    FILE *previous = stdout;
    fflush(previous);
    stdout = replacement;
    return previous;
}
