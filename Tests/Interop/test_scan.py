"""hepabus scan against pymodbus."""

from __future__ import annotations

import json

from interop import expect_failure, expect_ok


def units_of(result) -> list[tuple[int, str]]:
    return [(u["unit"], u["status"]) for u in json.loads(result.stdout)["units"]]


def test_scan_rtu_finds_exactly_units_1_and_2(rtu_link):
    r = expect_ok(rtu_link.cli("scan", "--units", "1-6", "--json"))
    doc = json.loads(r.stdout)
    assert doc["endpoint"] == rtu_link.endpoint
    assert doc["scanned"] == 6
    assert units_of(r) == [(1, "answered"), (2, "answered")], r.describe()
    # 4 silent units at the scan's default 100 ms timeout: bounded.
    assert r.elapsed < 10, r.describe()


def test_scan_rtu_plain(rtu_link):
    r = expect_ok(rtu_link.cli("scan", "--units", "1,2,5-6"))
    lines = r.stdout.splitlines()
    assert any(line.startswith("unit 1:") and "answered" in line for line in lines), r.describe()
    assert any(line.startswith("unit 2:") and "answered" in line for line in lines), r.describe()
    assert not any(line.startswith(("unit 5:", "unit 6:")) for line in lines), r.describe()


def test_scan_rtu_nobody_answers_exit_1(rtu_link):
    r = rtu_link.cli("scan", "--units", "3-6", "--json")
    assert r.returncode == 1, r.describe()
    assert r.elapsed < 10, r.describe()


def test_scan_exception_counts_as_present(link):
    """A unit that answers with a Modbus exception is there (probe outside its block)."""
    r = expect_ok(link.cli("scan", "--units", "1-2", "--address", 500, "--json"))
    units = json.loads(r.stdout)["units"]
    assert [(u["unit"], u["status"]) for u in units] == [(1, "exception"), (2, "exception")], r.describe()
    assert all("illegal data address" in u.get("detail", "") for u in units), r.describe()


def test_scan_tcp_finds_exactly_units_1_and_2(tcp_link):
    """Over TCP pymodbus answers unserved units with exception 0x0B, "gateway
    target device failed to respond": by the Modbus spec no response was
    obtained from the target device, i.e. it is not present. A scan must not
    count such units as present (nor say "6 of 6 units answered")."""
    r = expect_ok(tcp_link.cli("scan", "--units", "1-6", "--json"))
    present = [u for u, status in units_of(r) if status in ("answered", "exception")]
    assert present == [1, 2], r.describe()


def test_scan_tcp_connection_refused(work_dir):
    import socket

    from interop import run_cli

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens on port now.
    r = run_cli("scan", f"tcp://127.0.0.1:{port}", "--units", "1-3")
    expect_failure(r, 1, "connect")
    assert r.elapsed < 5, r.describe()


def test_scan_reports_damaged_unit(damaged_reply_rig):
    r = expect_ok(damaged_reply_rig.link.cli("scan", "--units", "1-2", "--json"))
    assert units_of(r) == [(1, "damaged"), (2, "answered")], r.describe()
    assert "damaged reply" in damaged_reply_rig.relay_log()
