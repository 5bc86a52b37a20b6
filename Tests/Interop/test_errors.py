"""Modbus exceptions, silent units and usage errors: exit status and messages."""

from __future__ import annotations

import pytest

from interop import devicemap, expect_failure, expect_ok, run_cli

ILLEGAL_ADDRESS_READS = [
    # (table, address, count): all outside what pymodbus serves
    ("holding", devicemap.HOLDING_SIZE, 1),
    ("holding", devicemap.HOLDING_SIZE - 1, 2),  # starts inside, ends outside
    ("input", devicemap.INPUT_SIZE, 1),
    ("coil", devicemap.BITS_SIZE, 1),
    ("discrete", devicemap.BITS_SIZE + 100, 4),
]


@pytest.mark.parametrize("table,address,count", ILLEGAL_ADDRESS_READS)
def test_read_outside_block_is_illegal_data_address(link, table, address, count):
    r = link.cli("read", "--unit", 1, "--table", table, "--address", address, "--count", count)
    expect_failure(r, 1, "illegal data address", "unit 1", f"address {address}")
    assert r.stdout.strip() == "", r.describe()
    assert r.elapsed < 5, r.describe()


@pytest.mark.parametrize("table", ["holding", "coil"])
def test_write_outside_block_is_illegal_data_address(link, table):
    address = devicemap.HOLDING_SIZE if table == "holding" else devicemap.BITS_SIZE
    r = link.cli("write", "--unit", 1, "--table", table, "--address", address, 1)
    expect_failure(r, 1, "illegal data address", "unit 1", f"address {address}")


@pytest.mark.parametrize("multiple", [False, True], ids=["fc05", "fc15"])
def test_illegal_function(link, multiple):
    """Unit 2 implements no coil writes: pymodbus answers exception 01."""
    extra = ["--multiple"] if multiple else []
    with link.client() as client:
        before = client.coils(2, 3)
    r = link.cli("write", "--unit", 2, "--table", "coil", "--address", 3, *extra, 1 if not before[0] else 0)
    expect_failure(r, 1, "illegal function", "unit 2", "address 3")
    with link.client() as client:
        assert client.coils(2, 3) == before


def test_exception_then_next_read_works(link):
    expect_failure(link.cli("read", "--unit", 1, "--address", 500), 1, "illegal data address")
    r = expect_ok(link.cli("read", "--unit", 1, "--address", 9))
    assert r.pairs() == [(9, "109")], r.describe()


# ---------------------------------------------------------------- unit 5


def test_unserved_unit_on_tcp_gets_gateway_exception(tcp_link):
    """pymodbus (3.11, ignore_missing_devices=False, its default on TCP) answers a
    request for a unit it does not serve with exception 0x0B, "gateway target
    device failed to respond"."""
    r = tcp_link.cli("read", "--unit", devicemap.SILENT_UNIT, "--address", 0, "--timeout", 200)
    expect_failure(r, 1, "gateway target device failed to respond", f"unit {devicemap.SILENT_UNIT}", "address 0")
    assert r.elapsed < 5, r.describe()


def test_silent_unit_on_rtu_times_out(rtu_link):
    r = rtu_link.cli("read", "--unit", devicemap.SILENT_UNIT, "--address", 0, "--timeout", 200, "--verbose")
    expect_failure(r, 1, "timeout", f"unit {devicemap.SILENT_UNIT}", "address 0")
    assert 0.2 <= r.elapsed < 5, r.describe()
    assert [k for k, _ in r.frames()] == ["TX"], r.describe()
    # The line is usable right after.
    ok = expect_ok(rtu_link.cli("read", "--unit", 2, "--address", 0))
    assert ok.pairs() == [(0, "200")], ok.describe()


def test_silent_unit_on_rtu_retries(rtu_link):
    r = rtu_link.cli(
        "read", "--unit", devicemap.SILENT_UNIT, "--address", 0, "--timeout", 200, "--retries", 2, "--verbose"
    )
    expect_failure(r, 1, "timeout", f"unit {devicemap.SILENT_UNIT}")
    assert [k for k, _ in r.frames()] == ["TX"] * 3, r.describe()
    assert 0.6 <= r.elapsed < 5, r.describe()


def test_write_to_silent_unit_on_rtu_times_out(rtu_link):
    r = rtu_link.cli("write", "--unit", devicemap.SILENT_UNIT, "--address", 50, 1, "--timeout", 200)
    expect_failure(r, 1, "timeout", f"unit {devicemap.SILENT_UNIT}", "address 50")
    assert r.elapsed < 5, r.describe()


# ---------------------------------------------------------------- usage errors (exit 2)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["read", "--unit", 1, "--address", 0, "--timeout", 5], "--timeout"),
        (["read", "--unit", 1, "--address", 0, "--table", "bogus"], "--table"),
        (["read", "--unit", 1, "--address", 0, "--type", "u64"], "--type"),
        (["read", "--unit", 1, "--address", 0, "--parity", "mark"], "--parity"),
        (["write", "--unit", 1, "--table", "input", "--address", 0, 5], "--table"),
        (["write", "--unit", 1, "--address", 0, "-5"], "-5"),
        (["write", "--unit", 1, "--address", 0, "70000"], "70000"),
        (["write", "--unit", 1, "--table", "coil", "--address", 0, "maybe"], "maybe"),
        (["read", "--address", 0], "--unit"),
    ],
    ids=["timeout-range", "table", "type", "parity", "write-input", "u16-negative", "u16-range", "coil-value", "no-unit"],
)
def test_usage_errors_exit_2(rtu_link, args, needle):
    command, *rest = args
    r = run_cli(command, rtu_link.endpoint, *map(str, rest))
    expect_failure(r, 2, needle)


def test_usage_error_touches_nothing(rtu_link):
    """A rejected write (bad value) sends nothing on the line."""
    with rtu_link.client() as client:
        client.write_holding(1, 80, [42])
    r = rtu_link.cli("write", "--unit", 1, "--address", 80, "--verbose", 1, "notanumber")
    expect_failure(r, 2, "notanumber")
    assert r.frames() == [], r.describe()
    with rtu_link.client() as client:
        assert client.holding(1, 80) == [42]


def test_write_accepts_double_dash_before_negative_values(link):
    """`--` conventionally ends the options; values after it are values."""
    with link.client() as client:
        client.write_holding(1, 81, [0])
    r = link.cli("write", "--unit", 1, "--address", 81, "--type", "s16", "--", "-5")
    expect_ok(r)
    with link.client() as client:
        assert client.holding(1, 81) == [(-5) & 0xFFFF]
