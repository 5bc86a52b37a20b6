"""A pymodbus server for the interoperability tests (run as a subprocess).

    python modbus_server.py tcp [--port 0]
    python modbus_server.py rtu --device /tmp/x/b [--baud 115200 --parity N --bytesize 8 --stopbits 1]

Serves units 1 and 2 (see devicemap.py for their contents) and nothing else.
Once the server listens, it prints one line on stdout and flushes it:

    READY tcp 127.0.0.1 PORT      (TCP; PORT is the port actually bound)
    READY rtu DEVICE              (RTU; the device is open)

and then serves until it receives SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import devicemap  # noqa: E402
from pymodbus.constants import ExcCodes  # noqa: E402
from pymodbus.datastore import (  # noqa: E402
    ModbusDeviceContext,
    ModbusSequentialDataBlock,
    ModbusServerContext,
)
from pymodbus.server import ModbusSerialServer, ModbusTcpServer  # noqa: E402


class NoCoilWritesContext(ModbusDeviceContext):
    """A device that implements no coil writes: FC05/FC15 answer "illegal function"."""

    def setValues(self, func_code, address, values):
        if func_code in (5, 15):
            return ExcCodes.ILLEGAL_FUNCTION
        return super().setValues(func_code, address, values)


def block(values) -> ModbusSequentialDataBlock:
    # ModbusDeviceContext adds 1 to every protocol address before it reaches
    # the block, so a block starting at 1 holds protocol addresses 0 .. len-1.
    # Any address outside it is answered with exception 02 (illegal data address).
    return ModbusSequentialDataBlock(1, list(values))


def build_device(unit: int) -> ModbusDeviceContext:
    d = devicemap.UNITS[unit]
    cls = NoCoilWritesContext if d.get("refuse_coil_writes") else ModbusDeviceContext
    return cls(
        co=block(d["coils"]),
        di=block(d["discrete"]),
        hr=block(d["holding"]),
        ir=block(d["input"]),
    )


async def serve(args: argparse.Namespace) -> None:
    # single=False: only the units listed are served; any other unit raises
    # NoSuchIdException inside pymodbus.
    devices = ModbusServerContext(
        devices={unit: build_device(unit) for unit in devicemap.UNITS}, single=False
    )
    if args.mode == "tcp":
        # On TCP an unknown unit gets pymodbus's default answer: exception 0x0B
        # (gateway target device failed to respond).
        server = ModbusTcpServer(devices, address=("127.0.0.1", args.port))
    else:
        server = ModbusSerialServer(
            devices,
            port=args.device,
            baudrate=args.baud,
            parity=args.parity,
            bytesize=args.bytesize,
            stopbits=args.stopbits,
            # A unit that is not served stays silent on a serial line.
            ignore_missing_devices=True,
        )
    await server.serve_forever(background=True)
    if args.mode == "tcp":
        port = server.transport.sockets[0].getsockname()[1]
        print(f"READY tcp 127.0.0.1 {port}", flush=True)
    else:
        if server.transport is None:
            print(f"FAILED rtu cannot open {args.device}", flush=True)
            sys.exit(1)
        print(f"READY rtu {args.device}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["tcp", "rtu"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--device")
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--parity", choices=["N", "E", "O"], default="N")
    parser.add_argument("--bytesize", type=int, default=8)
    parser.add_argument("--stopbits", type=int, default=1)
    parser.add_argument("--log", default="WARNING")
    args = parser.parse_args()
    if args.mode == "rtu" and not args.device:
        parser.error("rtu needs --device")
    logging.basicConfig(level=args.log, stream=sys.stderr)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
