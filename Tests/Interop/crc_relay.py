"""A byte relay between two pseudo-terminals that damages chosen replies.

    python crc_relay.py --cli-side PTY_A --server-side PTY_B [--corrupt 1] [--offset 3]

The CLI talks to the other end of PTY_A's pair, the pymodbus server listens on
the other end of PTY_B's pair; this relay copies bytes both ways. Every chunk
from the CLI side starts a new exchange; in the first --corrupt replies of the
server, the byte at --offset (counted from the start of the reply) is XORed
with 0x01, so that reply arrives with a bad CRC (CRC16 detects every
single-bit error). All other bytes pass unchanged.

Prints "READY" on stdout once both sides are open, logs every chunk on stderr,
and runs until SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import selectors
import signal
import sys
import tty


def open_raw(path: str) -> int:
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    return fd


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            selectors.DefaultSelector().select(0.01)
            continue
        view = view[n:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli-side", required=True)
    parser.add_argument("--server-side", required=True)
    parser.add_argument("--corrupt", type=int, default=1)
    parser.add_argument("--offset", type=int, default=3)
    args = parser.parse_args()

    cli = open_raw(args.cli_side)
    srv = open_raw(args.server_side)
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    sel = selectors.DefaultSelector()
    sel.register(cli, selectors.EVENT_READ, "cli")
    sel.register(srv, selectors.EVENT_READ, "srv")
    print("READY", flush=True)

    corrupt_left = args.corrupt
    reply_pos = 0  # bytes of the current reply seen so far
    damaging = False  # whether the current reply is one to damage
    while running:
        for key, _ in sel.select(0.1):
            try:
                data = os.read(key.fd, 4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:  # the other end of that pty is closed right now
                data = b""
            if not data:
                continue
            if key.data == "cli":
                # A request: the next bytes from the server are a new reply.
                reply_pos = 0
                damaging = corrupt_left > 0
                if damaging:
                    corrupt_left -= 1
                print(f"relay: cli->srv {data.hex(' ')}", file=sys.stderr, flush=True)
                write_all(srv, data)
            else:
                out = bytearray(data)
                i = args.offset - reply_pos
                if damaging and 0 <= i < len(out):
                    out[i] ^= 0x01
                    damaging = False
                    print(f"relay: damaged reply byte {args.offset}", file=sys.stderr, flush=True)
                reply_pos += len(data)
                print(f"relay: srv->cli {bytes(out).hex(' ')}", file=sys.stderr, flush=True)
                write_all(cli, bytes(out))


if __name__ == "__main__":
    main()
