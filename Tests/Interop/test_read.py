"""hepabus read against pymodbus, over Modbus TCP and Modbus RTU."""

from __future__ import annotations

import json
import math
import struct

import pytest

from interop import UNITS, devicemap, expect_ok

BIT = {True: "1", False: "0"}


@pytest.mark.parametrize("unit", [1, 2])
def test_read_holding_registers(link, unit):
    r = expect_ok(link.cli("read", "--unit", unit, "--table", "holding", "--address", 0, "--count", 10))
    assert r.pairs() == [(i, str(UNITS[unit]["holding"][i])) for i in range(10)], r.describe()


@pytest.mark.parametrize("unit", [1, 2])
def test_read_input_registers(link, unit):
    r = expect_ok(link.cli("read", "--unit", unit, "--table", "input", "--address", 0, "--count", 10))
    assert r.pairs() == [(i, str(UNITS[unit]["input"][i])) for i in range(10)], r.describe()


@pytest.mark.parametrize("unit", [1, 2])
def test_read_input_register_s16(link, unit):
    addr = devicemap.INPUT_S16
    r = expect_ok(link.cli("read", "--unit", unit, "--table", "input", "--address", addr, "--type", "s16"))
    assert r.pairs() == [(addr, str(UNITS[unit]["s16"]))], r.describe()
    # The same register as u16 and as hex.
    r = expect_ok(link.cli("read", "--unit", unit, "--table", "input", "--address", addr))
    assert r.pairs() == [(addr, str(UNITS[unit]["s16"] & 0xFFFF))], r.describe()
    r = expect_ok(link.cli("read", "--unit", unit, "--table", "input", "--address", addr, "--type", "hex"))
    (_, value), = r.pairs()
    assert int(value, 16) == UNITS[unit]["s16"] & 0xFFFF, r.describe()


@pytest.mark.parametrize("unit", [1, 2])
@pytest.mark.parametrize("table,key", [("coil", "coils"), ("discrete", "discrete")])
def test_read_bits(link, unit, table, key):
    count = 12
    r = expect_ok(link.cli("read", "--unit", unit, "--table", table, "--address", 0, "--count", count))
    expected = [(i, BIT[UNITS[unit][key][i]]) for i in range(count)]
    assert r.pairs() == expected, r.describe()


@pytest.mark.parametrize("table,key", [("coil", "coils"), ("discrete", "discrete")])
def test_read_bits_at_offset(link, table, key):
    """A read that starts inside a byte: bit 0 of the reply is the first address asked."""
    r = expect_ok(link.cli("read", "--unit", 1, "--table", table, "--address", 3, "--count", 7))
    assert r.pairs() == [(i, BIT[UNITS[1][key][i]]) for i in range(3, 10)], r.describe()


def test_read_json(link):
    r = expect_ok(link.cli("read", "--unit", 2, "--address", 2, "--count", 3, "--json"))
    doc = json.loads(r.stdout)
    assert doc["unit"] == 2
    assert doc["table"] == "holding"
    assert doc["address"] == 2
    assert doc["type"] == "u16"
    assert doc["values"] == UNITS[2]["holding"][2:5]


def test_read_json_bits(link):
    r = expect_ok(link.cli("read", "--unit", 1, "--table", "discrete", "--address", 0, "--count", 12, "--json"))
    doc = json.loads(r.stdout)
    assert (doc["unit"], doc["table"], doc["address"]) == (1, "discrete", 0)
    assert [bool(v) for v in doc["values"]] == UNITS[1]["discrete"][:12]


# (type, struct format, address of the big-word-order copy, of the little one, devicemap key)
WIDE = [
    ("u32", "I", devicemap.U32_BIG, devicemap.U32_LITTLE, "u32"),
    ("s32", "i", devicemap.S32_BIG, devicemap.S32_LITTLE, "s32"),
    ("f32", "f", devicemap.F32_BIG, devicemap.F32_LITTLE, "f32"),
]


def _f32_bits(x: float) -> bytes:
    return struct.pack(">f", x)


def _same(kind: str, printed: str, expected) -> bool:
    """Printed value equals expected; an f32 must round-trip to the very same bits."""
    if kind == "f32":
        return _f32_bits(float(printed)) == _f32_bits(expected)
    return int(printed) == expected


@pytest.mark.parametrize("unit", [1, 2])
@pytest.mark.parametrize("order", ["big", "little"])
@pytest.mark.parametrize("kind,fmt,big_addr,little_addr,key", WIDE, ids=[w[0] for w in WIDE])
def test_read_32bit(link, unit, order, kind, fmt, big_addr, little_addr, key):
    addr = big_addr if order == "big" else little_addr
    r = expect_ok(
        link.cli("read", "--unit", unit, "--address", addr, "--type", kind, "--word-order", order)
    )
    ((got_addr, printed),) = r.pairs()
    assert got_addr == addr, r.describe()
    assert _same(kind, printed, UNITS[unit][key]), f"expected {UNITS[unit][key]}\n" + r.describe()


@pytest.mark.parametrize("order", ["big", "little"])
@pytest.mark.parametrize("kind,fmt,big_addr,little_addr,key", WIDE, ids=[w[0] for w in WIDE])
def test_read_32bit_word_order_matters(link, order, kind, fmt, big_addr, little_addr, key):
    """Reading the other layout with the same --word-order swaps the words."""
    addr = little_addr if order == "big" else big_addr
    regs = UNITS[1]["holding"][addr : addr + 2]
    expected = devicemap.from_words(fmt, regs, order)
    assert expected != UNITS[1][key] or kind == "f32" and math.isnan(expected)
    r = expect_ok(link.cli("read", "--unit", 1, "--address", addr, "--type", kind, "--word-order", order))
    ((_, printed),) = r.pairs()
    assert _same(kind, printed, expected), f"expected {expected}\n" + r.describe()


def test_read_32bit_count_spans_two_registers_each(link):
    """--count 2 --type u32 reads 4 registers: values at address and address+2."""
    r = expect_ok(
        link.cli("read", "--unit", 1, "--address", devicemap.U32_BIG, "--type", "u32", "--count", 2, "--json")
    )
    doc = json.loads(r.stdout)
    regs = UNITS[1]["holding"]
    assert doc["type"] == "u32"
    assert doc["word_order"] == "big"
    assert doc["values"] == [
        devicemap.from_words("I", regs[devicemap.U32_BIG : devicemap.U32_BIG + 2], "big"),
        devicemap.from_words("I", regs[devicemap.U32_LITTLE : devicemap.U32_LITTLE + 2], "big"),
    ]
    plain = expect_ok(
        link.cli("read", "--unit", 1, "--address", devicemap.U32_BIG, "--type", "u32", "--count", 2)
    )
    assert [a for a, _ in plain.pairs()] == [devicemap.U32_BIG, devicemap.U32_BIG + 2], plain.describe()


def test_read_json_word_order_little(link):
    r = expect_ok(
        link.cli(
            "read", "--unit", 1, "--address", devicemap.S32_LITTLE, "--type", "s32",
            "--word-order", "little", "--json",
        )
    )
    doc = json.loads(r.stdout)
    assert doc["type"] == "s32" and doc["word_order"] == "little"
    assert doc["values"] == [UNITS[1]["s32"]]


def test_poll_three_rounds(link):
    r = expect_ok(
        link.cli("read", "--unit", 1, "--address", 0, "--count", 2, "--poll", 50, "--times", 3)
    )
    lines = r.stdout.splitlines()
    stamps = [line for line in lines if line.startswith("#")]
    assert len(stamps) == 3, r.describe()
    assert r.pairs() == [(0, "100"), (1, "101")] * 3, r.describe()
    # Rounds are 50 ms apart: three rounds take at least two intervals.
    assert r.elapsed >= 0.1, r.describe()
    assert r.elapsed < 5, r.describe()


def test_poll_json_three_rounds(link):
    r = expect_ok(
        link.cli("read", "--unit", 2, "--address", 5, "--poll", 50, "--times", 3, "--json")
    )
    docs = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert len(docs) == 3, r.describe()
    for doc in docs:
        assert doc["unit"] == 2 and doc["address"] == 5
        assert doc["values"] == [UNITS[2]["holding"][5]]
        assert isinstance(doc["time"], str) and doc["time"].endswith("Z")
    assert len({doc["time"] for doc in docs}) == 3, r.describe()


@pytest.mark.parametrize("value", [3.1415927410125732, 123456.7890625, -2.5e10, 1e-07])
@pytest.mark.parametrize("order", ["big", "little"])
def test_read_f32_full_precision(link, value, order):
    """An f32 stored by pymodbus prints with enough digits to give back the same bits."""
    addr = 72
    with link.client() as client:
        client.write_holding(1, addr, devicemap.words("f", value, order))
    r = expect_ok(link.cli("read", "--unit", 1, "--address", addr, "--type", "f32", "--word-order", order))
    ((_, printed),) = r.pairs()
    assert _f32_bits(float(printed)) == _f32_bits(value), r.describe()
