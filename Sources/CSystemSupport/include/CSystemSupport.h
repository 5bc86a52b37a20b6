#include "hepabus_serial.h"
#include "hepabus_stdio.h"
#include "hepabus_pty.h"
