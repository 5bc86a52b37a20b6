"""What only a serial line has: CRCs, framing settings, damaged replies."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import termios
import time

import pytest

from interop import FRAME_RE, HEPABUS, UNITS, crc16_modbus, devicemap, expect_failure, expect_ok, rtu_crc_ok


def with_crc(body: bytes) -> bytes:
    return body + crc16_modbus(body).to_bytes(2, "little")


def test_crc16_helper_reference_vectors():
    """The test's own CRC16 against published frames (so the CRC checks below mean something)."""
    assert with_crc(bytes.fromhex("01 03 00 00 00 0A")) == bytes.fromhex("01 03 00 00 00 0A C5 CD")
    assert with_crc(bytes.fromhex("11 03 00 6B 00 03")) == bytes.fromhex("11 03 00 6B 00 03 76 87")
    assert not rtu_crc_ok(bytes.fromhex("01 03 00 00 00 0A C5 CC"))


# ---------------------------------------------------------------- frames and CRCs


def test_verbose_frames_have_correct_crcs(rtu_link):
    r = expect_ok(rtu_link.cli("read", "--unit", 1, "--address", 0, "--count", 10, "--verbose"))
    frames = r.frames()
    assert [k for k, _ in frames] == ["TX", "RX"], r.describe()
    (_, tx), (_, rx) = frames
    assert rtu_crc_ok(tx) and rtu_crc_ok(rx), r.describe()
    # The request is exactly what the Modbus spec says, CRC low byte first.
    assert tx == with_crc(bytes([1, 3, 0, 0, 0, 10])), r.describe()
    data = b"".join(v.to_bytes(2, "big") for v in UNITS[1]["holding"][:10])
    assert rx == with_crc(bytes([1, 3, 20]) + data), r.describe()


def test_verbose_frames_write_and_exception(rtu_link):
    r = expect_ok(rtu_link.cli("write", "--unit", 2, "--address", 84, "--verbose", 0x1234))
    (_, tx), (_, rx) = r.frames()
    assert tx == with_crc(bytes([2, 6, 0, 84, 0x12, 0x34])), r.describe()
    assert rx == tx, r.describe()  # FC06 echoes the request
    r = rtu_link.cli("read", "--unit", 2, "--table", "input", "--address", 300, "--verbose")
    expect_failure(r, 1, "illegal data address")
    (_, tx), (_, rx) = r.frames()
    assert rtu_crc_ok(tx), r.describe()
    assert rx == with_crc(bytes([2, 0x84, 0x02])), r.describe()


@pytest.mark.parametrize(
    "args",
    [
        ["--unit", 1, "--address", devicemap.HOLDING_SIZE],
        ["--unit", devicemap.SILENT_UNIT, "--address", 0, "--timeout", 100],
    ],
    ids=["exception", "timeout"],
)
def test_verbose_stderr_has_only_frames_and_the_error(rtu_link, args):
    """With --verbose, stderr holds the frame lines ("TIMESTAMP TX|RX HEX") and
    the one "hepabus: error: ..." line; nothing else (no stray library output)."""
    r = rtu_link.cli("read", *args, "--verbose")
    assert r.returncode == 1, r.describe()
    assert r.frames(), r.describe()
    stray = [
        line
        for line in r.stderr.splitlines()
        if line.strip() and not FRAME_RE.match(line) and not line.startswith("hepabus: error: ")
    ]
    assert stray == [], "unexpected lines on stderr with --verbose:\n" + r.describe()


# ---------------------------------------------------------------- 19200 8E1


def test_even_parity_line_read_write_scan(rtu_even_link):
    r = expect_ok(rtu_even_link.cli("read", "--unit", 2, "--address", 0, "--count", 4, "--verbose"))
    assert r.pairs() == [(i, str(200 + i)) for i in range(4)], r.describe()
    assert all(rtu_crc_ok(f) for _, f in r.frames()), r.describe()
    with rtu_even_link.client() as client:
        client.write_holding(1, 85, [0])
    expect_ok(rtu_even_link.cli("write", "--unit", 1, "--address", 85, 4321))
    with rtu_even_link.client() as client:
        assert client.holding(1, 85) == [4321]
    s = expect_ok(rtu_even_link.cli("scan", "--units", "1-3", "--json"))
    assert [u["unit"] for u in json.loads(s.stdout)["units"]] == [1, 2], s.describe()


def _termios_while_polling(link, *extra) -> list:
    """The termios of the CLI's end of the line, sampled while the CLI holds it open.

    All openers of a pty share its termios, so what the CLI set is visible here.
    """
    proc = subprocess.Popen(
        [HEPABUS, "read", link.endpoint, *link.cli_opts, "--unit", "1", "--address", "0",
         "--poll", "50", "--times", "10", *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        # Wait (bounded) for the first value: by then the CLI has configured the line.
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        first = b""
        deadline = time.monotonic() + 5
        while b"\n0 " not in first and time.monotonic() < deadline:
            if sel.select(0.1):
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                first += chunk
        sel.close()
        assert b"\n0 " in first, f"hepabus --poll printed no value within 5 s: {first!r}"
        fd = os.open(link.endpoint, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            attrs = termios.tcgetattr(fd)
        finally:
            os.close(fd)
    finally:
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("hepabus read --poll 50 --times 10 did not finish within 10 s")
    assert proc.returncode == 0, f"hepabus --poll failed: {out!r} {err!r}"
    return attrs


def test_even_parity_line_applies_settings(rtu_even_link):
    """--baud 19200 --parity even reach the tty: 19200 Bd and input parity
    checking (INPCK, which libmodbus sets only with parity). PARENB itself is
    not kept by the pty driver, so it cannot be checked here."""
    attrs = _termios_while_polling(rtu_even_link)
    iflag, _oflag, cflag, lflag, ispeed, ospeed = attrs[:6]
    assert (ispeed, ospeed) == (termios.B19200, termios.B19200), attrs
    assert iflag & termios.INPCK, attrs
    assert cflag & termios.CSIZE == termios.CS8, attrs
    assert not cflag & termios.CSTOPB, attrs
    assert not lflag & termios.ICANON, attrs


def test_no_parity_line_applies_settings(rtu_link):
    attrs = _termios_while_polling(rtu_link)
    iflag, _oflag, cflag, _lflag, ispeed, ospeed = attrs[:6]
    assert (ispeed, ospeed) == (termios.B115200, termios.B115200), attrs
    assert not iflag & termios.INPCK, attrs
    assert not cflag & termios.CSTOPB, attrs


# ---------------------------------------------------------------- a damaged reply


def test_damaged_reply_is_crc_error_then_next_read_recovers(damaged_reply_rig):
    link = damaged_reply_rig.link
    r = link.cli("read", "--unit", 1, "--address", 0, "--count", 2, "--verbose")
    expect_failure(r, 1, "CRC error", "unit 1", "address 0")
    assert r.stdout.strip() == "", "no value may be printed from a damaged reply\n" + r.describe()
    assert r.elapsed < 5, r.describe()
    assert "damaged reply" in damaged_reply_rig.relay_log(), damaged_reply_rig.relay_log()
    rx = [f for k, f in r.frames() if k == "RX"]
    assert rx and not rtu_crc_ok(rx[0]), r.describe()
    # The very next read over the same line gets the right values.
    ok = expect_ok(link.cli("read", "--unit", 1, "--address", 0, "--count", 2))
    assert ok.pairs() == [(0, "100"), (1, "101")], ok.describe()


def test_damaged_reply_retried(damaged_reply_rig):
    link = damaged_reply_rig.link
    r = expect_ok(link.cli("read", "--unit", 2, "--address", 3, "--retries", 1, "--verbose"))
    assert r.pairs() == [(3, "203")], r.describe()
    assert [k for k, _ in r.frames()] == ["TX", "RX", "TX", "RX"], r.describe()
