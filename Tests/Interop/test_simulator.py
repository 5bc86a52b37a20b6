"""The simulator is a real Modbus peer: standard masters read and write it.

`hepabus simulate --circuit bal --tcp 127.0.0.1:0` runs as a subprocess for the
whole module; pymodbus clients talk to it over Modbus RTU (pyserial on the
manifest's stable endpoint symlinks) and over Modbus TCP; its control socket is
driven with a plain AF_UNIX socket; the line-protocol heparin pump with pyserial.
Register addresses and scales come from firmware-protocols/*.md, not from hepabus.

Each test leaves the circuit at rest: pumps it starts are stopped, faults and
conditions it sets are cleared, latched watchdogs are reset.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import serial

import sim_fixtures as sf
from sim_fixtures import (
    HeartbeatFeeder,
    Simulator,
    attempt,
    exception_code,
    failed,
    read_holding,
    read_input,
    s16,
    u32,
    wait_until,
    write_single,
)

TRANSPORTS = ["rtu", "tcp"]


@pytest.fixture(scope="module")
def sim():
    work = Path(tempfile.mkdtemp(prefix="hb-sim-"))  # short: the control socket path must fit sun_path
    simulator = Simulator(work)
    try:
        yield simulator
    finally:
        alive_before = simulator.alive()
        status, took = simulator.signal_and_wait(signal.SIGINT)
        log = simulator.log_tail()
        simulator.kill()
        shutil.rmtree(work, ignore_errors=True)
        assert alive_before, f"the simulator died during the tests (status {simulator.proc.returncode}):\n{log}"
        assert status is not None, f"the simulator did not exit within {sf.EXIT_TIMEOUT}s of SIGINT:\n{log}"
        assert status == 0, f"the simulator exited {status} on SIGINT (after {took:.2f}s):\n{log}"


def role(sim: Simulator, name: str) -> sf.Device:
    assert name in sim.devices, f"the bal manifest has no role {name!r}: {sorted(sim.devices)}"
    return sim.devices[name]


def stop_pump(sim: Simulator, name: str) -> None:
    """Run bit off, set-point 0, faults reset after a fresh heartbeat: the pump at rest."""
    d = role(sim, name)
    with sim.tcp(d.bus) as c:
        write_single(c, d.unit, sf.PUMP_CONTROL, 0)
        write_single(c, d.unit, sf.PUMP_SPEED_SETPOINT, 0)
        write_single(c, d.unit, sf.HEARTBEAT, 0)
        write_single(c, d.unit, sf.PUMP_COMMAND, sf.FAULT_RESET)


def close_clamp(sim: Simulator) -> None:
    d = role(sim, "airDetector")
    with sim.tcp(d.bus) as c:
        write_single(c, d.unit, sf.AIR_CONTROL, 0)
        write_single(c, d.unit, sf.HEARTBEAT, 0)
        write_single(c, d.unit, sf.AIR_COMMAND, sf.FAULT_RESET)


def pressure_mmHg(c, unit: int) -> float:
    return s16(read_input(c, unit, sf.PRESSURE)[0]) / 10


# --------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------
def test_manifest_describes_the_bal_circuit(sim):
    assert sim.manifest["circuit"] == "bal"
    assert {b.name: b.protocol for b in sim.buses.values()} == {
        "blood": "modbus-rtu",
        "plasma": "modbus-rtu",
        "heparin": "line",
    }
    for bus in sim.buses.values():
        assert os.path.islink(bus.endpoint), f"{bus.endpoint} should be a stable symlink"
        assert os.readlink(bus.endpoint).startswith("/dev/pts/"), os.readlink(bus.endpoint)
        if bus.protocol == "modbus-rtu":
            assert bus.settings == "115200 8E1", bus
            host, port = bus.tcp_host_port
            assert host == "127.0.0.1" and port > 0, bus
        else:
            assert bus.settings == "9600 8N1", bus
    expected_roles = {
        "bloodPump": ("blood", 1), "arterialPressure": ("blood", 2), "preFilterPressure": ("blood", 3),
        "venousPressure": ("blood", 4), "airDetector": ("blood", 5), "heparinPump": ("heparin", 1),
        "plasmaPump": ("plasma", 1), "recirculationPump": ("plasma", 2), "filtratePressure": ("plasma", 3),
        "plasmaTemperature": ("plasma", 4), "bioreactorTemperature": ("plasma", 5), "plasmaHeater": ("plasma", 6),
        "bloodLeakDetector": ("plasma", 7),
    }  # fmt: skip
    assert {r: (d.bus, d.unit) for r, d in sim.devices.items()} == expected_roles
    for d in sim.devices.values():
        assert d.endpoint == sim.buses[d.bus].endpoint, d
        assert (sf.REPO / d.spec).is_file(), f"{d.role}: spec {d.spec} does not exist"
        if d.family != "asciiPump":
            assert d.tcp == sim.buses[d.bus].tcp, d
            assert d.family_code == sf.spec_family_code(d.spec), f"{d.role}: familyCode differs from {d.spec}"


# --------------------------------------------------------------------------
# Identity of every Modbus role, over RTU and over TCP
# --------------------------------------------------------------------------
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_identity_block_of_every_modbus_role(sim, transport):
    serials = {}
    for bus in ("blood", "plasma"):
        with sim.master(transport, bus) as c:
            for d in (d for d in sim.modbus_devices() if d.bus == bus):
                words = read_input(c, d.unit, sf.IDENTITY_ADDRESS, sf.IDENTITY_COUNT)
                family, version, _vendor, _model, _firmware, sn_hi, sn_lo, probe_hi, probe_lo = words
                assert family == d.family_code, f"{d.role} (unit {d.unit} on {bus}): familyCode {family}, manifest {d.family_code}"
                assert version == 0x0100, f"{d.role}: protocolVersion {version:#06x}"
                assert u32(probe_hi, probe_lo) == sf.WORD_ORDER_PROBE, f"{d.role}: probe {probe_hi:#06x} {probe_lo:#06x}"
                serials[d.role] = u32(sn_hi, sn_lo)
    assert len(serials) == 12
    assert len(set(serials.values())) == len(serials), f"serial numbers not distinct: {serials}"


def test_identity_is_the_same_over_rtu_and_tcp(sim):
    for bus in ("blood", "plasma"):
        with sim.rtu(bus) as r, sim.tcp(bus) as t:
            for d in (d for d in sim.modbus_devices() if d.bus == bus):
                assert read_input(r, d.unit, 0, 9) == read_input(t, d.unit, 0, 9), d.role


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_report_server_id(sim, transport):
    """FC17: byte count, server id = family code, run indicator 0xFF, then text.

    (pymodbus 3.11 decodes the run indicator from the last byte, so its .status is
    meaningless here; the raw identifier bytes are checked instead.)
    """
    for bus in ("blood", "plasma"):
        with sim.master(transport, bus) as c:
            for d in (d for d in sim.modbus_devices() if d.bus == bus):
                rr = sf.ok(c.report_device_id(device_id=d.unit), f"FC17 to {d.role}")
                ident = bytes(rr.identifier)
                assert rr.byte_count == len(ident) >= 3, f"{d.role}: {rr}"
                assert ident[0] == d.family_code, f"{d.role}: server id {ident[0]}, family code {d.family_code}"
                assert ident[1] == 0xFF, f"{d.role}: run indicator {ident[1]:#04x}"
                text = ident[2:].decode("ascii")
                assert text.isprintable() and text.strip(), f"{d.role}: text {ident[2:]!r}"


# --------------------------------------------------------------------------
# Measurements at rest
# --------------------------------------------------------------------------
def test_pressures_plausible_at_rest(sim):
    stop_pump(sim, "bloodPump")
    stop_pump(sim, "plasmaPump")
    time.sleep(1.0)  # the line compliance lag is 0.15 s
    expected = {"arterialPressure": 20.0, "venousPressure": 15.0, "preFilterPressure": 15.0, "filtratePressure": 15.0}
    for name, rest in expected.items():
        d = role(sim, name)
        with sim.rtu(d.bus) as c:
            pressure, status, lo, hi = read_input(c, d.unit, sf.PRESSURE, 4)
        assert abs(s16(pressure) / 10 - rest) <= 3.0, f"{name}: {s16(pressure) / 10} mmHg at rest, expected ~{rest}"
        assert status == 0, f"{name}: status {status:#06x}"
        assert s16(lo) < 0 < s16(hi), f"{name}: range {s16(lo)}..{s16(hi)} mmHg"


def test_temperatures_plausible(sim):
    """About 37 degC: the simulator starts at 37 and, unheated, cools toward the
    room with a 240 s time constant, so within this suite it stays above 34."""
    for name in ("plasmaTemperature", "bioreactorTemperature"):
        d = role(sim, name)
        with sim.tcp(d.bus) as c:
            a, b, status = read_input(c, d.unit, sf.PROBE_A, 3)
        ta, tb = s16(a) / 100, s16(b) / 100
        assert 34.0 <= ta <= 39.0 and 34.0 <= tb <= 39.0, f"{name}: probes {ta} / {tb} degC"
        assert abs(ta - tb) <= 0.5, f"{name}: probes disagree {ta} / {tb}"
        assert status == 0, f"{name}: status {status:#06x}"
    d = role(sim, "plasmaHeater")
    with sim.rtu(d.bus) as c:
        element, outlet = read_input(c, d.unit, sf.HEATER_ELEMENT_TEMPERATURE, 2)
    assert 34.0 <= s16(outlet) / 100 <= 39.0, f"heater outlet {s16(outlet) / 100} degC"
    assert 20.0 <= s16(element) / 100 <= 45.0, f"heater element {s16(element) / 100} degC"


# --------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------
PUMPS = ["bloodPump", "plasmaPump", "recirculationPump"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_speed_setpoint_fc06_reads_back(sim, transport):
    for name in PUMPS:
        d = role(sim, name)
        with sim.master(transport, d.bus) as c:
            try:
                write_single(c, d.unit, sf.PUMP_SPEED_SETPOINT, 1234)  # 123.4 rpm
                assert read_holding(c, d.unit, sf.PUMP_SPEED_SETPOINT) == [1234], name
                # FC16 on the same register, and the neighbouring defaults read in one FC03.
                sf.ok(c.write_registers(sf.PUMP_SPEED_SETPOINT, [567], device_id=d.unit), f"FC16 {name}")
                setpoint, calibration, max_speed = read_holding(c, d.unit, sf.PUMP_SPEED_SETPOINT, 3)
                assert (setpoint, calibration, max_speed) == (567, 8000, 4000), name
                # Not running: the run bit was never written.
                assert read_input(c, d.unit, sf.PUMP_ACTUAL_SPEED)[0] == 0, name
            finally:
                write_single(c, d.unit, sf.PUMP_SPEED_SETPOINT, 0)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_setpoint_above_max_speed_is_illegal_data_value(sim, transport):
    d = role(sim, "plasmaPump")
    with sim.master(transport, d.bus) as c:
        try:
            write_single(c, d.unit, sf.PUMP_SPEED_SETPOINT, 1000)
            max_speed = read_holding(c, d.unit, sf.PUMP_MAX_SPEED)[0]
            assert max_speed == 4000
            rr = c.write_register(sf.PUMP_SPEED_SETPOINT, max_speed + 1, device_id=d.unit)
            assert exception_code(rr) == sf.ILLEGAL_DATA_VALUE, f"FC06 {max_speed + 1}: {rr}"
            rr = c.write_registers(sf.PUMP_SPEED_SETPOINT, [6000], device_id=d.unit)
            assert exception_code(rr) == sf.ILLEGAL_DATA_VALUE, f"FC16 6000: {rr}"
            assert read_holding(c, d.unit, sf.PUMP_SPEED_SETPOINT) == [1000], "a refused set-point changed the pump"
            write_single(c, d.unit, sf.PUMP_SPEED_SETPOINT, max_speed)  # the limit itself is accepted
        finally:
            write_single(c, d.unit, sf.PUMP_SPEED_SETPOINT, 0)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_undefined_address_is_illegal_data_address(sim, transport):
    pump = role(sim, "plasmaPump")
    sensor = role(sim, "filtratePressure")
    with sim.master(transport, "plasma") as c:
        checks = {
            "FC03 pump 0x0300": c.read_holding_registers(0x0300, count=1, device_id=pump.unit),
            "FC06 pump 0x0300": c.write_register(0x0300, 1, device_id=pump.unit),
            "FC04 pump 0x0205": c.read_input_registers(0x0205, count=1, device_id=pump.unit),
            "FC04 pump 0x0203+3 (runs past the map)": c.read_input_registers(0x0203, count=3, device_id=pump.unit),
            "FC04 sensor 0x0009": c.read_input_registers(0x0009, count=1, device_id=sensor.unit),
            "FC03 sensor 0x0100 (sensors have no watchdog)": c.read_holding_registers(0x0100, count=1, device_id=sensor.unit),
        }
        for what, rr in checks.items():
            assert exception_code(rr) == sf.ILLEGAL_DATA_ADDRESS, f"{what}: {rr}"
        assert read_holding(c, pump.unit, sf.PUMP_SPEED_SETPOINT) == [0]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_other_standard_function_codes(sim, transport):
    """FC16 judged on the state the whole write leaves, FC22 mask write, FC23 read/write."""
    d = role(sim, "recirculationPump")
    with sim.master(transport, d.bus) as c:
        try:
            # Set-point 450 rpm is legal only together with maxSpeed 500 in the same FC16.
            sf.ok(c.write_registers(sf.PUMP_SPEED_SETPOINT, [4500, 8000, 5000], device_id=d.unit), "FC16")
            assert read_holding(c, d.unit, sf.PUMP_SPEED_SETPOINT, 3) == [4500, 8000, 5000]
            rr = c.write_register(sf.PUMP_MAX_SPEED, 4000, device_id=d.unit)  # below the set-point
            assert exception_code(rr) == sf.ILLEGAL_DATA_VALUE, f"maxSpeed below the set-point: {rr}"
            sf.ok(c.write_registers(sf.PUMP_SPEED_SETPOINT, [0, 8000, 4000], device_id=d.unit), "FC16 restore")
            # FC22: (value AND and_mask) OR (or_mask AND NOT and_mask).
            write_single(c, d.unit, sf.PUMP_SPEED_SETPOINT, 0x00F0)
            sf.ok(c.mask_write_register(address=sf.PUMP_SPEED_SETPOINT, and_mask=0x000F, or_mask=0x0102, device_id=d.unit), "FC22")
            expected = (0x00F0 & 0x000F) | (0x0102 & ~0x000F & 0xFFFF)  # = 0x0100
            assert read_holding(c, d.unit, sf.PUMP_SPEED_SETPOINT) == [expected]
            # FC23: the write happens before the read.
            rr = sf.ok(
                c.readwrite_registers(read_address=sf.PUMP_CONTROL, read_count=4, write_address=sf.PUMP_SPEED_SETPOINT,
                                      values=[77], device_id=d.unit),
                "FC23",
            )
            assert rr.registers == [0, 77, 8000, 4000], rr.registers
            rr = c.read_holding_registers(sf.PUMP_COMMAND, count=1, device_id=d.unit)
            assert sf.ok(rr, "FC03 command register").registers == [0], "write-only command register should read 0"
        finally:
            c.write_registers(sf.PUMP_SPEED_SETPOINT, [0, 8000, 4000], device_id=d.unit)


def test_unknown_unit_rtu_silent_tcp_gateway_exception(sim):
    """A unit nobody serves: silence on the RS-485 line, exception 0x0B from the TCP gateway."""
    with sim.rtu("plasma", timeout=0.3) as c:
        assert failed(attempt(c.read_input_registers, 0, count=1, device_id=9)), "unit 9 answered on RTU"
        assert read_input(c, 1, 0, 1) == [1]  # the line is fine afterwards
    with sim.tcp("plasma") as c:
        assert exception_code(c.read_input_registers(0, count=1, device_id=9)) == 0x0B


def test_rtu_broadcast_write_reaches_every_unit(sim):
    """Unit 0 on RTU: every pump on the segment takes the write, nobody answers."""
    pumps = [role(sim, "plasmaPump"), role(sim, "recirculationPump")]
    with sim.rtu("plasma", timeout=0.3) as c:
        try:
            assert c.write_register(sf.PUMP_SPEED_SETPOINT, 321, device_id=0, no_response_expected=True) is None
            time.sleep(0.1)
            for d in pumps:
                assert read_holding(c, d.unit, sf.PUMP_SPEED_SETPOINT) == [321], d.role
        finally:
            for d in pumps:
                write_single(c, d.unit, sf.PUMP_SPEED_SETPOINT, 0)


# --------------------------------------------------------------------------
# Physics and the watchdog, through plain register writes
# --------------------------------------------------------------------------
SPEED_RAW = 190  # 19.0 rpm x 8000 uL/rev = 152 mL/min


def open_clamp(c, unit: int) -> None:
    write_single(c, unit, sf.AIR_CONTROL, 1)
    status = wait_until(lambda: read_input(c, unit, sf.AIR_STATUS)[0] & sf.AIR_CLAMP_IS_OPEN, 1.0)
    assert status, "the return clamp did not report open"


def test_pump_physics_follows_plain_writes(sim):
    pump, venous, arterial, air = (role(sim, r) for r in ("bloodPump", "venousPressure", "arterialPressure", "airDetector"))
    with sim.rtu("blood") as c:
        rest_v, rest_a = pressure_mmHg(c, venous.unit), pressure_mmHg(c, arterial.unit)
        try:
            with HeartbeatFeeder(sim, "blood", [pump.unit, air.unit]) as feeder:
                open_clamp(c, air.unit)
                write_single(c, pump.unit, sf.PUMP_SPEED_SETPOINT, SPEED_RAW)
                write_single(c, pump.unit, sf.PUMP_CONTROL, sf.PUMP_RUN)

                def settled():
                    status, speed, flow = read_input(c, pump.unit, sf.PUMP_STATUS, 3)
                    return (status, speed, flow) if speed >= SPEED_RAW - 3 else None

                got = wait_until(settled, 3.0)
                assert got, f"actual speed did not reach {SPEED_RAW} raw: {read_input(c, pump.unit, sf.PUMP_STATUS, 5)}"
                status, speed, flow = got
                assert status & sf.PUMP_RUNNING and not status & sf.PUMP_FAULT_LATCHED, f"status {status:#06x}"
                assert speed <= SPEED_RAW + 3
                assert abs(flow - 1520) <= 40, f"actual flow {flow / 10} mL/min, expected ~152"
                time.sleep(0.6)  # > 4 pressure time constants, and more than the watchdog timeout
                v, a = pressure_mmHg(c, venous.unit), pressure_mmHg(c, arterial.unit)
                # 150 mL/min: about +120 mmHg venous, -100 arterial (open return line).
                assert v > rest_v + 50 and v < 300, f"venous {v} mmHg (rest {rest_v})"
                assert a < rest_a - 50, f"arterial {a} mmHg (rest {rest_a})"
                vol1 = u32(*read_input(c, pump.unit, sf.PUMP_DELIVERED_VOLUME, 2))
                time.sleep(0.3)
                vol2 = u32(*read_input(c, pump.unit, sf.PUMP_DELIVERED_VOLUME, 2))
                assert vol2 > vol1, f"delivered volume does not grow: {vol1} -> {vol2}"
                status = read_input(c, pump.unit, sf.PUMP_STATUS)[0]
                assert status & sf.PUMP_RUNNING and not status & sf.PUMP_WATCHDOG_EXPIRED, f"fed pump stopped: {status:#06x}"
                # Stop, then close the clamp, while still fed: nothing latches.
                write_single(c, pump.unit, sf.PUMP_CONTROL, 0)
                write_single(c, air.unit, sf.AIR_CONTROL, 0)
                assert wait_until(lambda: read_input(c, pump.unit, sf.PUMP_ACTUAL_SPEED)[0] == 0, 1.0)
                assert not feeder.errors, feeder.errors
        finally:
            stop_pump(sim, "bloodPump")
            close_clamp(sim)


def test_watchdog_stops_an_unfed_pump(sim):
    pump = role(sim, "bloodPump")
    with sim.rtu("blood") as c:
        try:
            feeder = HeartbeatFeeder(sim, "blood", [pump.unit])
            with feeder:
                write_single(c, pump.unit, sf.PUMP_SPEED_SETPOINT, SPEED_RAW)
                write_single(c, pump.unit, sf.PUMP_CONTROL, sf.PUMP_RUN)
                assert wait_until(lambda: read_input(c, pump.unit, sf.PUMP_ACTUAL_SPEED)[0] >= SPEED_RAW - 3, 3.0)
                time.sleep(0.8)  # fed for longer than the 500 ms timeout: still running
                status = read_input(c, pump.unit, sf.PUMP_STATUS)[0]
                assert status & sf.PUMP_RUNNING and not status & sf.PUMP_WATCHDOG_EXPIRED, f"{status:#06x}"
            assert not feeder.errors, feeder.errors
            last = feeder.last_sent[pump.unit]

            # Stop feeding: within ~1 s the pump stops by itself and says why.
            def expired():
                status, speed = read_input(c, pump.unit, sf.PUMP_STATUS, 2)
                return (time.monotonic(), status, speed) if status & sf.PUMP_WATCHDOG_EXPIRED else None

            got = wait_until(expired, 1.5, interval=0.02)
            assert got, f"no watchdogExpired 1.5 s after the last heartbeat: {read_input(c, pump.unit, sf.PUMP_STATUS, 2)}"
            seen, status, speed = got
            assert 0.4 <= seen - last <= 1.0, f"watchdog expired {seen - last:.3f}s after the last heartbeat (timeout 0.5 s)"
            assert status & sf.PUMP_FAULT_LATCHED and not status & sf.PUMP_RUNNING, f"status {status:#06x}"
            assert speed == 0, f"actual speed {speed} after expiry"
            assert read_holding(c, pump.unit, sf.PUMP_CONTROL)[0] & sf.PUMP_RUN == 0, "run bit still set after expiry"
            time.sleep(0.2)
            assert read_input(c, pump.unit, sf.PUMP_STATUS)[0] & sf.PUMP_WATCHDOG_EXPIRED, "expiry did not latch"

            # A fault reset with a stale heartbeat does not clear it; after a fresh heartbeat it does.
            write_single(c, pump.unit, sf.PUMP_COMMAND, sf.FAULT_RESET)
            assert read_input(c, pump.unit, sf.PUMP_STATUS)[0] & sf.PUMP_WATCHDOG_EXPIRED, "reset without heartbeat cleared it"
            write_single(c, pump.unit, sf.HEARTBEAT, 1)
            write_single(c, pump.unit, sf.PUMP_COMMAND, sf.FAULT_RESET)
            status, speed = read_input(c, pump.unit, sf.PUMP_STATUS, 2)
            assert status & (sf.PUMP_WATCHDOG_EXPIRED | sf.PUMP_FAULT_LATCHED) == 0, f"status {status:#06x} after reset"
            assert speed == 0, "the pump restarted by itself after the reset"
        finally:
            stop_pump(sim, "bloodPump")


# --------------------------------------------------------------------------
# Control socket
# --------------------------------------------------------------------------
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_control_silent_once(sim, transport):
    venous = role(sim, "venousPressure")
    arterial = role(sim, "arterialPressure")
    try:
        with sim.master(transport, "blood", timeout=0.5) as c:
            assert read_input(c, venous.unit, sf.PRESSURE)
            sim.control_ok("fault venousPressure silent 1")
            start = time.monotonic()
            first = attempt(c.read_input_registers, sf.PRESSURE, count=1, device_id=venous.unit)
            took = time.monotonic() - start
            assert failed(first), f"read during 'silent 1' got an answer: {first}"
            assert took >= 0.4, f"the silent read failed after {took:.3f}s, not by timing out"
            second = attempt(c.read_input_registers, sf.PRESSURE, count=1, device_id=venous.unit)
            assert not failed(second), f"the read after the one silent reply failed: {second}"
            assert abs(s16(second.registers[0]) / 10) < 700
            read_input(c, arterial.unit, sf.PRESSURE)  # the neighbours were never affected
    finally:
        sim.control_ok("clear venousPressure")


def test_control_return_line_restriction(sim):
    pump, venous, air = (role(sim, r) for r in ("bloodPump", "venousPressure", "airDetector"))
    try:
        with sim.tcp("blood") as c, HeartbeatFeeder(sim, "blood", [pump.unit, air.unit]) as feeder:
            open_clamp(c, air.unit)
            write_single(c, pump.unit, sf.PUMP_SPEED_SETPOINT, SPEED_RAW)
            write_single(c, pump.unit, sf.PUMP_CONTROL, sf.PUMP_RUN)
            assert wait_until(lambda: read_input(c, pump.unit, sf.PUMP_ACTUAL_SPEED)[0] >= SPEED_RAW - 3, 3.0)
            time.sleep(0.6)
            before = pressure_mmHg(c, venous.unit)
            assert 50 < before < 300, f"venous {before} mmHg at ~150 mL/min before the restriction"
            sim.control_ok("condition returnLineRestriction 5")
            high = wait_until(lambda: (p := pressure_mmHg(c, venous.unit)) > 300 and p, 2.0)
            assert high, f"venous stayed at {pressure_mmHg(c, venous.unit)} mmHg with returnLineRestriction 5"
            sim.control_ok("condition returnLineRestriction 1")
            low = wait_until(lambda: (p := pressure_mmHg(c, venous.unit)) < 300 and p, 2.0)
            assert low, f"venous stayed at {pressure_mmHg(c, venous.unit)} mmHg after the restriction was lifted"
            assert read_input(c, pump.unit, sf.PUMP_STATUS)[0] & sf.PUMP_RUNNING
            write_single(c, pump.unit, sf.PUMP_CONTROL, 0)
            write_single(c, air.unit, sf.AIR_CONTROL, 0)
            assert not feeder.errors, feeder.errors
    finally:
        sim.control_ok("condition returnLineRestriction 1")
        stop_pump(sim, "bloodPump")
        close_clamp(sim)


def test_control_unplug_and_replug(sim):
    bus = sim.buses["blood"]
    venous = role(sim, "venousPressure")
    try:
        with sim.rtu("blood", timeout=0.5) as old:
            assert read_input(old, venous.unit, sf.PRESSURE)
            sim.control_ok("unplug blood")
            gone = not os.path.lexists(bus.endpoint)
            result = attempt(old.read_input_registers, sf.PRESSURE, count=1, device_id=venous.unit)
            assert gone or failed(result), "after 'unplug blood' the endpoint is still there and reads still work"
            assert failed(result), f"a read on the unplugged line succeeded: {result}"
        assert not os.path.lexists(bus.endpoint), f"{bus.endpoint} still exists while unplugged"
        sim.control_ok("replug blood")
        assert os.path.islink(bus.endpoint), f"{bus.endpoint} did not come back"
        pty = os.readlink(bus.endpoint)
        assert pty.startswith("/dev/pts/") and os.path.exists(pty), pty
        manifest_pty = {b["name"]: b["pty"] for b in json.loads(sim.manifest_path.read_text())["buses"]}["blood"]
        assert manifest_pty == pty, f"manifest names {manifest_pty}, the endpoint points at {pty}"
        with sim.rtu("blood") as new:
            words = read_input(new, venous.unit, 0, 9)
            assert words[0] == venous.family_code and u32(words[7], words[8]) == sf.WORD_ORDER_PROBE
            assert abs(pressure_mmHg(new, venous.unit)) < 700
    finally:
        if not os.path.lexists(bus.endpoint):
            sim.control("replug blood")


def test_control_status_names_every_role(sim):
    reply = sim.control_ok("status")
    roles = reply["status"]["roles"]
    assert set(roles) == set(sim.devices), f"status roles {sorted(roles)} vs manifest {sorted(sim.devices)}"
    for name, d in sim.devices.items():
        assert roles[name]["family"] == d.family, name
    assert "venousPressure" in reply["status"]["physics"]


def test_control_refuses_bad_commands(sim):
    for command in ("fault noSuchRole silent", "frobnicate", "condition noSuchCondition 1", "unplug noSuchBus"):
        reply = sim.control(command)
        assert reply.get("ok") is False and reply.get("error"), f"{command!r}: {reply}"
    assert sim.alive()


# --------------------------------------------------------------------------
# The line-protocol heparin pump, with pyserial
# --------------------------------------------------------------------------
def line_exchange(port: serial.Serial, request: bytes, timeout: float = 0.5) -> bytes:
    time.sleep(0.02)  # the protocol's minimum gap between commands is 10 ms
    port.reset_input_buffer()
    port.write(request)
    port.flush()
    port.timeout = timeout
    return port.read_until(b"\r")


@pytest.fixture
def heparin_line(sim):
    bus = sim.buses["heparin"]
    assert bus.protocol == "line"
    with serial.Serial(bus.endpoint, timeout=0.5, **bus.serial_kwargs()) as port:
        yield port


def test_line_pump_identity(sim, heparin_line):
    address = role(sim, "heparinPump").unit
    request = sf.line_request(address, "ID")
    assert request == b"1ID;BE\r"  # the specification's own example
    reply = line_exchange(heparin_line, request)
    assert reply, f"no reply to {request!r}"
    m = sf.parse_line_reply(reply)
    assert (int(m["address"]), m["marker"], m["command"]) == (address, "=", "ID"), reply
    model, firmware, serial_number, protocol = m["payload"].split(",")
    assert re.fullmatch(r"[A-Z0-9-]{1,8}", model), reply
    assert re.fullmatch(r"\d+\.\d+", firmware), reply
    assert re.fullmatch(r"[A-Z0-9-]{1,10}", serial_number), reply
    assert protocol.split(".")[0] == "1", f"protocol version {protocol}"


def test_line_pump_bad_checksum_refused(sim, heparin_line):
    address = role(sim, "heparinPump").unit
    good = sf.sum8(f"{address}ID")
    bad = f"{(int(good, 16) + 1) % 256:02X}"
    reply = line_exchange(heparin_line, sf.line_request(address, "ID", checksum=bad))
    assert reply, "no reply to a request with a bad checksum"
    m = sf.parse_line_reply(reply)
    assert (m["marker"], m["command"], m["payload"]) == ("#", "??", "03"), f"expected badChecksum refusal: {reply!r}"
    # The line still works afterwards.
    assert sf.parse_line_reply(line_exchange(heparin_line, sf.line_request(address, "ID")))["marker"] == "="


def test_line_pump_ignores_other_addresses(sim, heparin_line):
    address = role(sim, "heparinPump").unit
    other = 8 if address != 8 else 7
    assert line_exchange(heparin_line, sf.line_request(other, "ID"), timeout=0.3) == b""


# --------------------------------------------------------------------------
# Clean exit of a separate simulator
# --------------------------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_simulator_exits_cleanly_on_signal(sig):
    work = Path(tempfile.mkdtemp(prefix="hb-sig-"))
    simulator = Simulator(work)
    try:
        with simulator.tcp("blood") as c:
            read_input(c, 1, 0, 9)
        status, took = simulator.signal_and_wait(sig)
        assert status == 0, f"exit {status} after {took:.2f}s on {sig.name}:\n{simulator.log_tail()}"
        assert not os.path.exists(simulator.control_path), "control socket left behind"
    finally:
        simulator.kill()
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_as_soon_as_the_manifest_exists_is_clean(sig):
    """The manifest is the readiness signal, so a signal from then on must end the
    simulator cleanly. Its stdout here is a pipe that is already full (a slow log
    reader): the simulator blocks printing its banner after the manifest, which
    makes the moment right after the manifest last long enough to hit every time.
    The pipe is drained right after the signal."""
    work = Path(tempfile.mkdtemp(prefix="hb-rdy-"))
    r, w = os.pipe()
    os.set_blocking(w, False)
    try:
        while True:
            os.write(w, b"x" * 4096)
    except BlockingIOError:
        pass
    os.set_blocking(w, True)
    manifest, run_dir = work / "manifest.json", work / "run"
    argv = [sf.HEPABUS, "simulate", "--circuit", "bal", "--manifest", str(manifest), "--run-directory", str(run_dir)]
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=w, stderr=subprocess.DEVNULL, start_new_session=True, cwd=sf.REPO
    )
    os.close(w)
    drain = threading.Thread(target=lambda: [None for _ in iter(lambda: os.read(r, 65536), b"")], daemon=True)
    try:
        deadline = time.monotonic() + sf.MANIFEST_TIMEOUT
        while not manifest.exists():
            assert proc.poll() is None, f"exited {proc.returncode} before writing its manifest"
            assert time.monotonic() < deadline, "no manifest"
            time.sleep(0.01)
        json.loads(manifest.read_text())
        time.sleep(0.3)
        proc.send_signal(sig)
        drain.start()
        try:
            status = proc.wait(timeout=sf.EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {sf.EXIT_TIMEOUT}s after {sig.name}")
        left = sorted(os.listdir(run_dir)) if run_dir.exists() else []
        assert status == 0, (
            f"`{' '.join(argv)}` got {sig.name} after writing its manifest and ended with status {status}"
            f" (negative: killed by the signal); left behind in {run_dir}: {left}"
        )
        assert "control.sock" not in left, f"left behind: {left}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        drain.join(timeout=1) if drain.is_alive() else None
        os.close(r)
        shutil.rmtree(work, ignore_errors=True)
