#ifndef HEPABUS_CUDEV_SHIM_H
#define HEPABUS_CUDEV_SHIM_H
#include <libudev.h>
#endif
