"""Support for the interoperability tests: the hepabus CLI, helper processes
(pymodbus servers, socat pty pairs, the CRC relay), an independent pymodbus
client for verification, and Modbus helpers.

Every background process is started with a bounded wait for readiness and is
always stopped at teardown; every CLI call has a timeout, so a hang is a test
failure with a clear message.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))  # for devicemap

import devicemap  # noqa: E402

#: The CLI under test: $HEPABUS (as the Makefile sets it), else the debug build.
HEPABUS = os.environ.get("HEPABUS") or str(REPO / ".build" / "debug" / "hepabus")

#: Upper bound for one CLI call; a call still running then is a hang.
CLI_TIMEOUT = 15.0
#: Upper bound for a helper process to become ready.
READY_TIMEOUT = 15.0

SERIAL_115200_8N1 = ["--baud", "115200", "--parity", "none", "--data-bits", "8", "--stop-bits", "1"]
SERIAL_19200_8E1 = ["--baud", "19200", "--parity", "even", "--data-bits", "8", "--stop-bits", "1"]


# --------------------------------------------------------------------------
# The CLI
# --------------------------------------------------------------------------
@dataclass
class CliResult:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float

    def describe(self) -> str:
        return (
            f"$ {' '.join(self.argv)}\n"
            f"exit {self.returncode} after {self.elapsed:.3f}s\n"
            f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}"
        )

    def pairs(self) -> list[tuple[int, str]]:
        """Plain output "ADDRESS VALUE" lines (comment lines skipped)."""
        out = []
        for line in self.stdout.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            addr, value = line.split()
            out.append((int(addr, 0), value))
        return out

    def frames(self) -> list[tuple[str, bytes]]:
        """--verbose frames on stderr: [("TX"|"RX", bytes), ...]."""
        return [(m.group(2), bytes.fromhex(m.group(3))) for m in FRAME_RE.finditer(self.stderr)]


FRAME_RE = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) (TX|RX) ((?:[0-9A-F]{2})(?: [0-9A-F]{2})*)$",
    re.MULTILINE,
)


def run_cli(*args: str, timeout: float = CLI_TIMEOUT) -> CliResult:
    argv = [HEPABUS, *map(str, args)]
    start = time.monotonic()
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = (exc.stderr or b"").decode(errors="replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        pytest.fail(
            f"hepabus hung: `{' '.join(argv)}` did not finish within {timeout}s "
            f"(killed)\n--- stdout ---\n{out}--- stderr ---\n{err}",
            pytrace=False,
        )
    return CliResult(argv, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)


def expect_ok(result: CliResult) -> CliResult:
    assert result.returncode == 0, "hepabus failed:\n" + result.describe()
    return result


def expect_failure(result: CliResult, status: int, *needles: str) -> CliResult:
    assert result.returncode == status, f"expected exit {status}:\n" + result.describe()
    for needle in needles:
        assert needle.lower() in result.stderr.lower(), (
            f"stderr should mention {needle!r}:\n" + result.describe()
        )
    return result


# --------------------------------------------------------------------------
# Background processes
# --------------------------------------------------------------------------
class Background:
    """A helper process whose stdout announces readiness and whose stderr goes to a log."""

    def __init__(self, name: str, argv: list[str], log_dir: Path):
        self.name = name
        self.argv = argv
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            start_new_session=True,
        )
        self._buf = b""

    def log_tail(self, n: int = 30) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def wait_for_line(self, prefix: str, timeout: float = READY_TIMEOUT) -> str:
        """Wait (bounded) for a stdout line starting with prefix; return it."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        try:
            while True:
                while b"\n" in self._buf:
                    line, self._buf = self._buf.split(b"\n", 1)
                    text = line.decode(errors="replace").strip()
                    if text.startswith(prefix):
                        return text
                    if text.startswith("FAILED"):
                        self.fail(f"reported {text!r}")
                left = deadline - time.monotonic()
                if left <= 0:
                    self.fail(f"not ready within {timeout}s (no {prefix!r} line)")
                if sel.select(min(left, 0.2)):
                    chunk = os.read(fd, 4096)
                    if not chunk:
                        self.proc.wait(timeout=5)
                        self.fail(f"exited with status {self.proc.returncode} before {prefix!r}")
                    self._buf += chunk
                elif self.proc.poll() is not None:
                    self.fail(f"exited with status {self.proc.returncode} before {prefix!r}")
        finally:
            sel.close()

    def fail(self, why: str):
        self.stop()
        pytest.fail(
            f"{self.name} ({' '.join(self.argv)}) {why}\n--- its log ---\n{self.log_tail()}",
            pytrace=False,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()


class PtyPair:
    """Two linked pseudo-terminals made by socat: bytes written to one come out of the other."""

    def __init__(self, name: str, work_dir: Path):
        self.a = str(work_dir / f"{name}-a")
        self.b = str(work_dir / f"{name}-b")
        self.log_path = work_dir / f"socat-{name}.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [
                "socat",
                "-d",
                "-d",
                f"pty,raw,echo=0,link={self.a}",
                f"pty,raw,echo=0,link={self.b}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            start_new_session=True,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while not (os.path.exists(self.a) and os.path.exists(self.b)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(
                    f"socat did not create the pty pair {self.a} <-> {self.b} within "
                    f"{READY_TIMEOUT}s:\n{self.log_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()


def start_server(mode: str, log_dir: Path, name: str, *extra: str) -> tuple[Background, str]:
    server = Background(
        name, [sys.executable, str(HERE / "modbus_server.py"), mode, *extra], log_dir
    )
    line = server.wait_for_line("READY")
    return server, line


# --------------------------------------------------------------------------
# Links: one endpoint the CLI talks to, plus an independent pymodbus client
# --------------------------------------------------------------------------
@dataclass
class Link:
    kind: str  # "tcp" or "rtu"
    endpoint: str  # what the CLI gets as ENDPOINT
    cli_opts: list[str] = field(default_factory=list)  # serial settings for the CLI
    client_kwargs: dict = field(default_factory=dict)
    server: Background | None = None

    def cli(self, command: str, *args: str, timeout: float = CLI_TIMEOUT) -> CliResult:
        """hepabus COMMAND ENDPOINT [serial settings] ARGS..."""
        if self.server is not None and not self.server.alive():
            pytest.fail(f"the pymodbus server died:\n{self.server.log_tail()}", pytrace=False)
        return run_cli(command, self.endpoint, *self.cli_opts, *args, timeout=timeout)

    @contextlib.contextmanager
    def client(self):
        """A connected pymodbus client on the same line (never at the same time as the CLI)."""
        from pymodbus.client import ModbusSerialClient, ModbusTcpClient

        if self.kind == "tcp":
            c = ModbusTcpClient(**self.client_kwargs, timeout=2, retries=0)
        else:
            c = ModbusSerialClient(**self.client_kwargs, timeout=1, retries=0)
        try:
            assert c.connect(), f"pymodbus client could not connect to {self.endpoint}"
            yield VerifyClient(c)
        finally:
            c.close()


class VerifyClient:
    """Reads through pymodbus, failing the test on any error."""

    def __init__(self, client):
        self.c = client

    def _check(self, rr, what):
        assert not rr.isError(), f"pymodbus client: {what} failed: {rr}"
        return rr

    def holding(self, unit: int, address: int, count: int = 1) -> list[int]:
        rr = self.c.read_holding_registers(address, count=count, device_id=unit)
        return self._check(rr, f"read holding {address}+{count} of unit {unit}").registers

    def coils(self, unit: int, address: int, count: int = 1) -> list[bool]:
        rr = self.c.read_coils(address, count=count, device_id=unit)
        return list(self._check(rr, f"read coils {address}+{count} of unit {unit}").bits[:count])

    def write_holding(self, unit: int, address: int, values: list[int]) -> None:
        rr = self.c.write_registers(address, values, device_id=unit)
        self._check(rr, f"write holding {address} of unit {unit}")

    def write_coils(self, unit: int, address: int, values: list[bool]) -> None:
        rr = self.c.write_coils(address, values, device_id=unit)
        self._check(rr, f"write coils {address} of unit {unit}")


def _rtu_link(work_dir: Path, name: str, baud: int, parity: str, cli_opts: list[str]):
    pair = PtyPair(name, work_dir)
    server = None
    try:
        server, _ = start_server(
            "rtu", work_dir, f"server-{name}", "--device", pair.b, "--baud", str(baud), "--parity", parity
        )
        yield Link(
            "rtu",
            pair.a,
            cli_opts,
            {"port": pair.a, "baudrate": baud, "parity": parity, "bytesize": 8, "stopbits": 1},
            server,
        )
    finally:
        if server is not None:
            server.stop()
        pair.stop()


@dataclass
class RelayRig:
    link: Link
    relay: Background

    def relay_log(self) -> str:
        return self.relay.log_tail(50)


# --------------------------------------------------------------------------
# Modbus helpers
# --------------------------------------------------------------------------
def crc16_modbus(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def rtu_crc_ok(frame: bytes) -> bool:
    """A whole RTU frame (with its CRC, low byte first) checks out."""
    return len(frame) >= 4 and crc16_modbus(frame[:-2]) == int.from_bytes(frame[-2:], "little")


def function_code(kind: str, frame: bytes) -> int:
    """The function byte of a TX/RX frame as printed by --verbose."""
    return frame[7] if kind == "tcp" else frame[1]


UNITS = devicemap.UNITS
