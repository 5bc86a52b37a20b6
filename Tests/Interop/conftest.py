"""Fixtures: pymodbus servers (TCP and RTU), socat pty pairs, the CRC relay.

Session-wide: one pymodbus TCP server, one RTU line at 115200 8N1, one at
19200 8E1. Per test: the relay rig for damaged replies. Everything started
is stopped at teardown.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interop import (  # noqa: E402
    HERE,
    HEPABUS,
    SERIAL_115200_8N1,
    SERIAL_19200_8E1,
    Background,
    Link,
    PtyPair,
    RelayRig,
    _rtu_link,
    start_server,
)


@pytest.fixture(scope="session", autouse=True)
def _hepabus_exists():
    if not (os.path.isfile(HEPABUS) and os.access(HEPABUS, os.X_OK)):
        pytest.exit(
            f"hepabus CLI not found at {HEPABUS}: build it (swift build --product hepabus) "
            "or set HEPABUS",
            returncode=3,
        )
    if shutil.which("socat") is None:
        pytest.exit("socat is not installed (Tools/install-deps.sh installs it)", returncode=3)


@pytest.fixture(scope="session")
def work_dir():
    # Short path: pty link names must be short enough for socat and for logs.
    d = Path(tempfile.mkdtemp(prefix="hepabus-interop-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def tcp_link(work_dir):
    server, line = start_server("tcp", work_dir, "server-tcp")
    port = int(line.split()[3])
    yield Link(
        "tcp",
        f"tcp://127.0.0.1:{port}",
        [],
        {"host": "127.0.0.1", "port": port},
        server,
    )
    server.stop()


@pytest.fixture(scope="session")
def rtu_link(work_dir):
    """pymodbus RTU server at 115200 8N1 on one end of a pty pair; the CLI on the other."""
    yield from _rtu_link(work_dir, "rtu", 115200, "N", SERIAL_115200_8N1)


@pytest.fixture(scope="session")
def rtu_even_link(work_dir):
    """The CLI at 19200 8E1.

    pymodbus's end stays at 8N1: a pty carries no parity bit, and the Linux pty
    driver here refuses pyserial's even-parity termios (tcsetattr: EINVAL) and
    silently drops PARENB from libmodbus's. What this line proves is that the
    CLI accepts and applies 19200 8E1 (see test_even_parity_line_applies_settings)
    and then talks normally.
    """
    yield from _rtu_link(work_dir, "rtu-even", 19200, "N", SERIAL_19200_8E1)


@pytest.fixture(params=["tcp", "rtu"])
def link(request) -> Link:
    """Every test using this runs over Modbus TCP and over Modbus RTU."""
    return request.getfixturevalue(f"{request.param}_link")


@pytest.fixture
def damaged_reply_rig(work_dir, request):
    """CLI <-pty pair-> relay <-pty pair-> pymodbus RTU server, 115200 8N1.

    The relay flips one bit in the first reply of the server, so that reply
    arrives with a bad CRC; everything after passes unchanged.
    """
    tag = f"relay{os.getpid()}-{request.node.name}"[:40]
    tag = re.sub(r"[^A-Za-z0-9_-]", "_", tag)
    cli_pair = PtyPair(f"{tag}-c", work_dir)
    srv_pair = PtyPair(f"{tag}-s", work_dir)
    server = relay = None
    try:
        server, _ = start_server("rtu", work_dir, f"server-{tag}", "--device", srv_pair.b, "--baud", "115200")
        relay = Background(
            f"{tag}-relay",
            [
                sys.executable,
                str(HERE / "crc_relay.py"),
                "--cli-side",
                cli_pair.b,
                "--server-side",
                srv_pair.a,
                "--corrupt",
                "1",
            ],
            work_dir,
        )
        relay.wait_for_line("READY")
        yield RelayRig(Link("rtu", cli_pair.a, SERIAL_115200_8N1, {}, server), relay)
    finally:
        for p in (relay, server):
            if p is not None:
                p.stop()
        cli_pair.stop()
        srv_pair.stop()
