"""Support for test_simulator.py: `hepabus simulate` as a subprocess, driven by
standard Modbus masters (pymodbus clients over RTU and TCP), its control socket
(plain AF_UNIX), and the line-protocol pump (pyserial).

Nothing here uses hepabus code: register addresses and scales come from
firmware-protocols/*.md, the line protocol's checksum is computed here from its
specification. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from interop import HEPABUS, REPO

#: Upper bound for the simulator to write its manifest.
MANIFEST_TIMEOUT = 15.0
#: Upper bound for the simulator to exit after SIGINT/SIGTERM.
EXIT_TIMEOUT = 5.0
#: Upper bound for one control-socket exchange.
CONTROL_TIMEOUT = 5.0

# --------------------------------------------------------------------------
# Register map (firmware-protocols/*.md; Modbus protocol addresses, 0-based)
# --------------------------------------------------------------------------
IDENTITY_ADDRESS, IDENTITY_COUNT = 0x0000, 9
WORD_ORDER_PROBE = 0xAABBCCDD
HEARTBEAT = 0x0100  # holding, actuators
WATCHDOG_TIMEOUT = 0x0101  # holding, ms

# peristaltic pump
PUMP_CONTROL = 0x0200  # holding, bit 0 run
PUMP_SPEED_SETPOINT = 0x0201  # holding, 0.1 rpm
PUMP_TUBING_CALIBRATION = 0x0202  # holding, uL/rev
PUMP_MAX_SPEED = 0x0203  # holding, 0.1 rpm
PUMP_COMMAND = 0x0204  # holding, write-only
PUMP_STATUS = 0x0200  # input
PUMP_ACTUAL_SPEED = 0x0201  # input, 0.1 rpm
PUMP_ACTUAL_FLOW = 0x0202  # input, 0.1 mL/min
PUMP_DELIVERED_VOLUME = 0x0203  # input, u32 high word first, 0.1 mL
PUMP_RUN = 0x0001
PUMP_RUNNING = 1 << 0
PUMP_WATCHDOG_EXPIRED = 1 << 7
PUMP_FAULT_LATCHED = 1 << 15
FAULT_RESET = 0x5555

# pressure sensor
PRESSURE = 0x0200  # input, s16 0.1 mmHg
PRESSURE_STATUS = 0x0201  # input
PRESSURE_RANGE_MIN = 0x0202  # input, s16 mmHg
PRESSURE_RANGE_MAX = 0x0203  # input, s16 mmHg

# temperature sensor
PROBE_A = 0x0200  # input, s16 0.01 degC
PROBE_B = 0x0201
TEMPERATURE_STATUS = 0x0202

# heater
HEATER_OUTLET_TEMPERATURE = 0x0203  # input, s16 0.01 degC
HEATER_ELEMENT_TEMPERATURE = 0x0202

# air detector and return clamp
AIR_CONTROL = 0x0200  # holding, bit 0 clampOpen
AIR_COMMAND = 0x0202  # holding, write-only
AIR_STATUS = 0x0200  # input
AIR_CLAMP_IS_OPEN = 1 << 2
AIR_CLAMP_IS_CLOSED = 1 << 3

# Modbus exception codes
ILLEGAL_DATA_ADDRESS = 2
ILLEGAL_DATA_VALUE = 3


def s16(word: int) -> int:
    return word - 0x10000 if word & 0x8000 else word


def u32(high: int, low: int) -> int:
    return (high << 16) | low


def spec_family_code(spec_path: str) -> int:
    """`familyCode: N` from a firmware-protocols YAML (read as text, no hepabus code)."""
    text = (REPO / spec_path).read_text()
    m = re.search(r"^familyCode:\s*(\d+)\s*$", text, re.MULTILINE)
    assert m, f"{spec_path} names no familyCode"
    return int(m.group(1))


# --------------------------------------------------------------------------
# The simulator process
# --------------------------------------------------------------------------
@dataclass
class Bus:
    name: str
    endpoint: str
    protocol: str
    settings: str
    tcp: str | None

    @property
    def tcp_host_port(self) -> tuple[str, int]:
        m = re.fullmatch(r"tcp://([^:]+):(\d+)", self.tcp or "")
        assert m, f"bus {self.name}: no usable tcp address in the manifest ({self.tcp!r})"
        return m.group(1), int(m.group(2))

    def serial_kwargs(self) -> dict:
        """pyserial settings from the manifest's "BAUD 8E1"-style text."""
        m = re.fullmatch(r"(\d+) ([5-8])([NEO])([12])", self.settings)
        assert m, f"bus {self.name}: settings {self.settings!r} are not 'BAUD 8N1'-style"
        return {
            "baudrate": int(m.group(1)),
            "bytesize": int(m.group(2)),
            "parity": m.group(3),
            "stopbits": int(m.group(4)),
        }


@dataclass
class Device:
    role: str
    family: str
    bus: str
    unit: int
    family_code: int | None
    spec: str
    endpoint: str
    tcp: str | None


class Simulator:
    """`hepabus simulate --circuit bal --tcp 127.0.0.1:0` in a temporary directory."""

    def __init__(self, work_dir: Path, circuit: str = "bal", tcp: bool = True):
        self.work_dir = work_dir
        self.manifest_path = work_dir / "manifest.json"
        self.run_dir = work_dir / "run"
        self.argv = [
            HEPABUS,
            "simulate",
            "--circuit",
            circuit,
            "--manifest",
            str(self.manifest_path),
            "--run-directory",
            str(self.run_dir),
        ]
        if tcp:
            self.argv[4:4] = ["--tcp", "127.0.0.1:0"]
        self.log_path = work_dir / "simulate.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO,
        )
        self.manifest = self._wait_for_manifest()
        self.buses = {
            b["name"]: Bus(b["name"], b["endpoint"], b["protocol"], b["settings"], b.get("tcp"))
            for b in self.manifest["buses"]
        }
        self.devices = {
            d["role"]: Device(
                d["role"],
                d["family"],
                d["bus"],
                int(d["unit"]),
                d.get("familyCode"),
                d["spec"],
                d["endpoint"],
                d.get("tcp"),
            )
            for d in self.manifest["devices"]
        }
        self.control_path = self.manifest["control"]

    # -- lifecycle -------------------------------------------------------
    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def _fail(self, why: str):
        self.kill()
        pytest.fail(f"`{' '.join(self.argv)}` {why}\n--- its output ---\n{self.log_tail()}", pytrace=False)

    def _wait_for_manifest(self) -> dict:
        deadline = time.monotonic() + MANIFEST_TIMEOUT
        last_error = "no manifest file"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._fail(f"exited with status {self.proc.returncode} before writing its manifest")
            try:
                doc = json.loads(self.manifest_path.read_text())
                if os.path.exists(doc["control"]) and all(os.path.exists(b["endpoint"]) for b in doc["buses"]):
                    return doc
                last_error = "manifest written, but its control socket or bus endpoints are not there yet"
            except FileNotFoundError:
                pass
            except (json.JSONDecodeError, KeyError, TypeError) as exc:  # maybe half written
                last_error = f"manifest does not parse yet: {exc}"
            time.sleep(0.02)
        self._fail(f"did not write a usable manifest within {MANIFEST_TIMEOUT}s ({last_error})")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal_and_wait(self, sig: int = signal.SIGINT, timeout: float = EXIT_TIMEOUT) -> tuple[int | None, float]:
        """Sends sig; returns (exit status or None if still running after timeout, seconds taken)."""
        start = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return None, time.monotonic() - start
        return self.proc.returncode, time.monotonic() - start

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._log.close()

    # -- control socket ----------------------------------------------------
    def control(self, command: str, timeout: float = CONTROL_TIMEOUT) -> dict:
        """One command line over a plain AF_UNIX stream socket; one JSON reply line."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(self.control_path)
            s.sendall(command.encode() + b"\n")
            buf = b""
            deadline = time.monotonic() + timeout
            while b"\n" not in buf:
                if time.monotonic() > deadline:
                    pytest.fail(f"control socket: no reply line to {command!r} within {timeout}s (got {buf!r})")
                chunk = s.recv(65536)
                if not chunk:
                    pytest.fail(f"control socket closed without a full reply to {command!r} (got {buf!r})")
                buf += chunk
        line, rest = buf.split(b"\n", 1)
        assert rest == b"", f"control socket: more than one reply line to {command!r}: {buf!r}"
        return json.loads(line)

    def control_ok(self, command: str) -> dict:
        reply = self.control(command)
        assert reply.get("ok") is True, f"control {command!r} refused: {reply}"
        return reply

    # -- Modbus masters ------------------------------------------------------
    def modbus_devices(self) -> list[Device]:
        return [d for d in self.devices.values() if self.buses[d.bus].protocol == "modbus-rtu"]

    @contextlib.contextmanager
    def rtu(self, bus: str, timeout: float = 1.0):
        """A pymodbus RTU master on the bus's stable endpoint (pyserial opens the symlink).

        The manifest says 115200 8E1; the master keeps the baud rate and uses no
        parity, because the Linux pty driver refuses pyserial's even-parity termios
        (EINVAL; see README.md) and a pty carries no parity bit anyway.
        """
        from pymodbus.client import ModbusSerialClient

        settings = self.buses[bus].serial_kwargs()
        settings["parity"] = "N"
        c = ModbusSerialClient(port=self.buses[bus].endpoint, timeout=timeout, retries=0, **settings)
        try:
            assert c.connect(), f"pymodbus RTU master could not open {self.buses[bus].endpoint}"
            yield c
        finally:
            c.close()

    @contextlib.contextmanager
    def tcp(self, bus: str, timeout: float = 2.0):
        """A pymodbus TCP master on the bus's tcp:// address."""
        from pymodbus.client import ModbusTcpClient

        host, port = self.buses[bus].tcp_host_port
        c = ModbusTcpClient(host, port=port, timeout=timeout, retries=0)
        try:
            assert c.connect(), f"pymodbus TCP master could not connect to {self.buses[bus].tcp}"
            yield c
        finally:
            c.close()

    def master(self, transport: str, bus: str, timeout: float | None = None):
        kwargs = {} if timeout is None else {"timeout": timeout}
        return self.rtu(bus, **kwargs) if transport == "rtu" else self.tcp(bus, **kwargs)


# --------------------------------------------------------------------------
# Modbus helpers on a pymodbus client
# --------------------------------------------------------------------------
def ok(rr, what: str):
    assert not rr.isError(), f"{what}: {rr}"
    return rr


def read_input(c, unit: int, address: int, count: int = 1) -> list[int]:
    rr = ok(c.read_input_registers(address, count=count, device_id=unit), f"FC04 unit {unit} {address:#06x}+{count}")
    assert len(rr.registers) == count, f"FC04 unit {unit} {address:#06x}+{count}: {rr.registers}"
    return rr.registers


def read_holding(c, unit: int, address: int, count: int = 1) -> list[int]:
    rr = ok(c.read_holding_registers(address, count=count, device_id=unit), f"FC03 unit {unit} {address:#06x}+{count}")
    assert len(rr.registers) == count, f"FC03 unit {unit} {address:#06x}+{count}: {rr.registers}"
    return rr.registers


def write_single(c, unit: int, address: int, value: int) -> None:
    rr = ok(c.write_register(address, value, device_id=unit), f"FC06 unit {unit} {address:#06x}={value:#06x}")
    assert rr.address == address and rr.registers == [value], f"FC06 echo differs: {rr}"


def exception_code(rr) -> int | None:
    """The Modbus exception code of a response (None when it is not an exception)."""
    from pymodbus.pdu import ExceptionResponse

    return rr.exception_code if isinstance(rr, ExceptionResponse) else None


def attempt(fn, *args, **kwargs):
    """Runs a pymodbus request; returns the response, or the exception pymodbus raised."""
    from pymodbus.exceptions import ModbusException

    try:
        return fn(*args, **kwargs)
    except (ModbusException, OSError) as exc:
        return exc


def failed(result) -> bool:
    """pymodbus reported no usable response (raised, or an error response)."""
    return isinstance(result, Exception) or result.isError()


def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Polls predicate() (returning a truthy value when done) for at most timeout seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = predicate()
        if last:
            return last
        if time.monotonic() > deadline:
            return last
        time.sleep(interval)


class HeartbeatFeeder:
    """Feeds the host watchdog of some units, every `period` seconds, from this test
    process, on its own pymodbus TCP connection (a second master on the bus).
    """

    def __init__(self, sim: Simulator, bus: str, units: list[int], period: float = 0.2):
        from pymodbus.client import ModbusTcpClient

        host, port = sim.buses[bus].tcp_host_port
        self.client = ModbusTcpClient(host, port=port, timeout=1, retries=0)
        assert self.client.connect(), f"heartbeat feeder could not connect to {sim.buses[bus].tcp}"
        self.units = units
        self.period = period
        self.counter = 0
        self.errors: list[str] = []
        #: monotonic time just before the last heartbeat write was sent, per unit
        self.last_sent: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat-feeder", daemon=True)

    def beat(self) -> None:
        self.counter = (self.counter + 1) & 0xFFFF
        for unit in self.units:
            sent = time.monotonic()
            result = attempt(self.client.write_register, HEARTBEAT, self.counter, device_id=unit)
            if failed(result):
                self.errors.append(f"heartbeat to unit {unit}: {result}")
            else:
                self.last_sent[unit] = sent

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self.period)

    def __enter__(self):
        self.beat()
        self._thread.start()
        return self

    def stop(self) -> None:
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join(timeout=5)
            self.client.close()

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------
# Line protocol (firmware-protocols/line-ascii-pump.md)
# --------------------------------------------------------------------------
def sum8(text: str) -> str:
    """The line protocol's checksum: byte sum modulo 256, two upper-case hex digits."""
    return f"{sum(text.encode('ascii')) % 256:02X}"


def line_request(address: int, command: str, argument: str = "", checksum: str | None = None) -> bytes:
    body = f"{address}{command}{argument}"
    return f"{body};{checksum if checksum is not None else sum8(body)}\r".encode("ascii")


LINE_REPLY = re.compile(r"(?P<address>[1-8])(?P<marker>[*=#])(?P<command>[A-Z]{2}|\?\?)(?P<payload>[^;]*);(?P<checksum>[0-9A-F]{2})\r")


def parse_line_reply(raw: bytes) -> re.Match:
    text = raw.decode("ascii")
    m = LINE_REPLY.fullmatch(text)
    assert m, f"line reply {raw!r} is not <address><marker><command>[payload];<checksum><CR>"
    body = text[: text.index(";")]
    assert m.group("checksum") == sum8(body), f"line reply {raw!r}: checksum should be {sum8(body)}"
    return m
