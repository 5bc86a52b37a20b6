"""hepabus write against pymodbus; every write is checked through a pymodbus client.

Each test writes to scratch addresses of its own (holding 49..85 except 72-73,
which test_read uses; coils 15..31 of unit 1; holding 61 of unit 2), and first
sets them, through pymodbus, to something other than what hepabus will write,
so a write that does nothing cannot pass.
"""

from __future__ import annotations

import pytest

from interop import UNITS, devicemap, expect_ok, function_code


def tx_function_codes(link, result) -> list[int]:
    return [function_code(link.kind, frame) for kind, frame in result.frames() if kind == "TX"]


def test_write_single_register_fc06(link):
    addr = 50
    with link.client() as client:
        client.write_holding(1, addr - 1, [0xAAAA, 0x1111, 0xBBBB])
    r = expect_ok(link.cli("write", "--unit", 1, "--address", addr, "--verbose", 4660))
    assert "unit 1" in r.stdout and str(addr) in r.stdout, r.describe()
    assert tx_function_codes(link, r) == [0x06], r.describe()
    with link.client() as client:
        assert client.holding(1, addr - 1, 3) == [0xAAAA, 4660, 0xBBBB]


def test_write_single_register_multiple_uses_fc16(link):
    addr = 51
    with link.client() as client:
        client.write_holding(1, addr, [0x1111])
    r = expect_ok(link.cli("write", "--unit", 1, "--address", addr, "--multiple", "--verbose", 777))
    assert tx_function_codes(link, r) == [0x10], r.describe()
    with link.client() as client:
        assert client.holding(1, addr) == [777]


def test_write_multiple_registers_fc16(link):
    addr = 53
    values = [1, 2, 3, 65535, 0x8000]
    with link.client() as client:
        client.write_holding(1, addr - 1, [0x5555] * 7)
    r = expect_ok(link.cli("write", "--unit", 1, "--address", addr, "--verbose", *values))
    assert tx_function_codes(link, r) == [0x10], r.describe()
    with link.client() as client:
        assert client.holding(1, addr - 1, 7) == [0x5555, *values, 0x5555]


def test_write_hex_value(link):
    addr = 59
    with link.client() as client:
        client.write_holding(1, addr, [0])
    expect_ok(link.cli("write", "--unit", 1, "--address", addr, "0xBEEF"))
    with link.client() as client:
        assert client.holding(1, addr) == [0xBEEF]


def test_write_negative_s16_without_double_dash(link):
    addr = 60
    with link.client() as client:
        client.write_holding(1, addr, [0])
    expect_ok(link.cli("write", "--unit", 1, "--address", addr, "--type", "s16", "-1234"))
    with link.client() as client:
        assert client.holding(1, addr) == [(-1234) & 0xFFFF]


def test_write_goes_to_the_right_unit(link):
    addr = 61
    with link.client() as client:
        client.write_holding(1, addr, [11])
        client.write_holding(2, addr, [22])
    expect_ok(link.cli("write", "--unit", 2, "--address", addr, 999))
    with link.client() as client:
        assert client.holding(2, addr) == [999]
        assert client.holding(1, addr) == [11]


WIDE_WRITES = [
    ("u32", "I", 3000000001),
    ("s32", "i", -123456),
    ("f32", "f", -1.5),
]


@pytest.mark.parametrize("order", ["big", "little"])
@pytest.mark.parametrize("kind,fmt,value", WIDE_WRITES, ids=[w[0] for w in WIDE_WRITES])
def test_write_32bit(link, order, kind, fmt, value):
    addr = {"u32": 62, "s32": 64, "f32": 66}[kind] + (0 if order == "big" else 12)
    with link.client() as client:
        client.write_holding(1, addr, [0xDEAD, 0xBEEF])
    r = expect_ok(
        link.cli(
            "write", "--unit", 1, "--address", addr, "--type", kind, "--word-order", order,
            "--verbose", value,
        )
    )
    assert tx_function_codes(link, r) == [0x10], r.describe()
    with link.client() as client:
        assert client.holding(1, addr, 2) == devicemap.words(fmt, value, order)
    # And hepabus reads back what it wrote.
    back = expect_ok(
        link.cli("read", "--unit", 1, "--address", addr, "--type", kind, "--word-order", order)
    )
    ((_, printed),) = back.pairs()
    assert (float(printed) if kind == "f32" else int(printed)) == value, back.describe()


@pytest.mark.parametrize("on,off", [("1", "0"), ("on", "off"), ("true", "false")])
def test_write_single_coil_fc05(link, on, off):
    addr = {"1": 16, "on": 17, "true": 18}[on]
    with link.client() as client:
        client.write_coils(1, addr - 1, [False, False, False])
    r = expect_ok(link.cli("write", "--unit", 1, "--table", "coil", "--address", addr, "--verbose", on))
    assert tx_function_codes(link, r) == [0x05], r.describe()
    with link.client() as client:
        assert client.coils(1, addr) == [True]
    r = expect_ok(link.cli("write", "--unit", 1, "--table", "coil", "--address", addr, off))
    with link.client() as client:
        assert client.coils(1, addr) == [False]


def test_write_single_coil_multiple_uses_fc15(link):
    addr = 20
    with link.client() as client:
        client.write_coils(1, addr, [False])
    r = expect_ok(
        link.cli("write", "--unit", 1, "--table", "coil", "--address", addr, "--multiple", "--verbose", 1)
    )
    assert tx_function_codes(link, r) == [0x0F], r.describe()
    with link.client() as client:
        assert client.coils(1, addr) == [True]


def test_write_multiple_coils_fc15(link):
    addr = 22
    values = [True, False, True, True, False, True, False, False, True]
    with link.client() as client:
        client.write_coils(1, addr - 1, [not v for v in [False, *values, False]])
    r = expect_ok(
        link.cli(
            "write", "--unit", 1, "--table", "coil", "--address", addr, "--verbose",
            *("1" if v else "0" for v in values),
        )
    )
    assert tx_function_codes(link, r) == [0x0F], r.describe()
    with link.client() as client:
        # The neighbours (set to True above) are untouched.
        assert client.coils(1, addr - 1, len(values) + 2) == [True, *values, True]


def test_unit_contents_untouched_by_writes(link):
    """The prefilled blocks are not scratch: check they still hold what devicemap says."""
    with link.client() as client:
        for unit in (1, 2):
            assert client.holding(unit, 0, 45) == UNITS[unit]["holding"][:45]
            assert client.coils(unit, 0, 15) == UNITS[unit]["coils"][:15]
