#ifndef HEPABUS_CMODBUS_SHIM_H
#define HEPABUS_CMODBUS_SHIM_H
#include <modbus/modbus.h>
#include <modbus/modbus-rtu.h>
#include <modbus/modbus-tcp.h>
#endif
