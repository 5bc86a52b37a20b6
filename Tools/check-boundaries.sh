#!/usr/bin/env bash
# The module boundaries the compiler alone does not hold (docs/ARCHITECTURE.md, rule 1):
#
#  1. C is imported only where it is allowed: Glibc/Musl by Serial, Modbus, DeviceDiscovery and
#     SystemCalls; CModbus, CUdev and CSystemSupport by Serial, Modbus and DeviceDiscovery.
#  2. No other module, tool or executable calls the C library itself (Foundation re-exports
#     Glibc, so an `import Foundation` would let open(2) or errno in unnoticed): a list of libc
#     calls and names is searched for, outside comments and string literals.
#  3. No C type (termios, speed_t, any Glibc or C-module type) appears in the public API of the
#     library modules: their symbol graphs (public symbols, from the debug build) are searched
#     for C declarations (precise identifiers starting "c:") and C type names.
#
# Tests may use Glibc to build fixtures (ptys, forks, fault injection); Benchmarks/ measures the
# process itself (getrusage, CPU affinity, a bare-libmodbus comparison) and is left out too.
# Every finding is printed as file:line: what; the exit status is 1 if there is any.
#
# Usage: Tools/check-boundaries.sh [--imports-only | --self-test]   (`make boundaries` runs both)
#   --imports-only  checks 1 and 2 only (no build)
#   --self-test     runs checks 1 and 2 on a scratch tree with known violations, and fails unless
#                   exactly those are reported: the check itself is tested
set -euo pipefail
cd "$(dirname "$0")/.."

# Checks 1 and 2 on the tree at $1 (default: here).
check_sources() (
cd "${1:-.}"
python3 - <<'PY'
import os, re, sys

GLIBC_ALLOWED = ("Sources/Serial/", "Sources/Modbus/", "Sources/DeviceDiscovery/", "Sources/SystemCalls/")
C_MODULES_ALLOWED = ("Sources/Serial/", "Sources/Modbus/", "Sources/DeviceDiscovery/")
CHECKED_ROOTS = ("Sources", "Tools", "Fuzz")
# Fuzz/ is checked for imports only: its driver declares libFuzzer's entry points and exit(3) itself.
IMPORTS_ONLY = ("Fuzz/",)

IMPORT = re.compile(r"^\s*(?:@\w+\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:\w+\s+)?(\w+)")
SYSTEM_MODULES = {"Glibc", "Musl", "Darwin"}
C_MODULES = {"CModbus", "CUdev", "CSystemSupport"}

# libc calls (an identifier followed by "(", not a member, not a declaration) and libc names.
# Names Swift code commonly gives its own methods (read, write, close, connect, send…) are left
# out: the import check and review catch those.
LIBC_CALLS = (
    "open|openat|creat|fsync|fdatasync|ftruncate|pread|pwrite|lseek|ioctl|fcntl|flock|dup|dup2|"
    "tcgetattr|tcsetattr|tcdrain|tcflush|cfsetispeed|cfsetospeed|cfmakeraw|posix_openpt|grantpt|unlockpt|ptsname|"
    "kill|raise|getpid|getppid|geteuid|getuid|fork|waitpid|execv|execvp|posix_spawn|"
    "clock_gettime|nanosleep|usleep|sleep|gettimeofday|gmtime_r|localtime_r|timegm|mktime|"
    "strerror|isatty|symlink|unlink|realpath|readlink|mkdir|rmdir|lstat|fstat|stat|"
    "socket|accept4|sendto|recvfrom|pipe|pipe2|poll|"
    "signal|sigaction|sigprocmask|fflush|fputs|fopen|fclose|setvbuf|exit|_exit|"
    r"getrusage|sched_setaffinity|mlockall|malloc|pthread_\w+"
)
CALL = re.compile(r"(?<![\w.])(?<!func )(?<!case )(?<!var )(?<!let )(" + LIBC_CALLS + r")\s*\(")
NAMES = re.compile(
    r"(?<![\w.])(errno|E[A-Z]{3,}[A-Z0-9]*|O_[A-Z]+|S_IF[A-Z]+|STD(?:IN|OUT|ERR)_FILENO|SIG[A-Z]{3,}|SIG_(?:IGN|DFL)|"
    r"CLOCK_[A-Z_]+|LOCK_(?:EX|NB|SH|UN)|F_[A-Z_]+|POLL[A-Z]+|AF_UNIX|SOCK_[A-Z]+|MSG_[A-Z]+|"
    r"speed_t|termios|timespec|pollfd|sockaddr\w*|mode_t|off_t|pid_t|time_t|pthread_t|sig_atomic_t|Glibc)(?![\w:]|\s+\w+\s*:)"
)
# Swift names that look like the above but are not libc (enum cases, our own identifiers).
NOT_LIBC = {"EXIT"}

def strip(line, in_block):
    """The line without comments and string literal contents; whether a /* */ block is still open."""
    out, i, n = [], 0, len(line)
    in_string = False
    while i < n:
        if in_block:
            end = line.find("*/", i)
            if end < 0: return "".join(out), True
            i, in_block = end + 2, False
            continue
        c = line[i]
        if in_string:
            if c == "\\": i += 2; continue
            if c == '"': in_string = False; out.append('"')
            i += 1
            continue
        if line.startswith("//", i): break
        if line.startswith("/*", i): in_block = True; i += 2; continue
        if c == '"': in_string = True; out.append('"')
        else: out.append(c)
        i += 1
    return "".join(out), in_block

findings = []
for root in CHECKED_ROOTS:
    for directory, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith(".swift"): continue
            path = os.path.join(directory, name)
            glibc_ok = path.startswith(GLIBC_ALLOWED)
            c_ok = path.startswith(C_MODULES_ALLOWED)
            in_block = False
            in_multiline = False
            with open(path, encoding="utf-8") as f:
                for number, raw in enumerate(f, 1):
                    # Multi-line string literals (help texts) are prose, not code.
                    if raw.count('"""') % 2 == 1:
                        in_multiline = not in_multiline
                        continue
                    if in_multiline: continue
                    code, in_block = strip(raw.rstrip("\n"), in_block)
                    m = IMPORT.match(code)
                    if m:
                        module = m.group(1)
                        if module in SYSTEM_MODULES | C_MODULES and re.search(r"\b(public|package)\s+import\b|@_exported", code):
                            findings.append(f"{path}:{number}: {module} is imported publicly; C is imported internally (plain `import`)")
                        if module in SYSTEM_MODULES and not glibc_ok:
                            findings.append(f"{path}:{number}: imports {module}; only Serial, Modbus, DeviceDiscovery and SystemCalls may (use SystemCalls)")
                        if module in C_MODULES and not c_ok:
                            findings.append(f"{path}:{number}: imports {module}; only Serial, Modbus and DeviceDiscovery may")
                        continue
                    if glibc_ok or path.startswith(IMPORTS_ONLY): continue
                    for m in CALL.finditer(code):
                        findings.append(f"{path}:{number}: calls the C library's {m.group(1)}(); go through SystemCalls (or a portable Foundation API)")
                    for m in NAMES.finditer(code):
                        if m.group(1) in NOT_LIBC: continue
                        findings.append(f"{path}:{number}: uses the C library's {m.group(1)}; go through SystemCalls")

for line in findings: print(line)
if findings:
    print(f"check-boundaries: {len(findings)} finding(s) above (docs/ARCHITECTURE.md, rule 1)", file=sys.stderr)
    sys.exit(1)
print("check-boundaries: C imported only by Serial, Modbus, DeviceDiscovery and SystemCalls; no libc calls elsewhere")
PY
)

if [ "${1:-}" = "--self-test" ]; then
    scratch=$(mktemp -d)
    trap 'rm -rf "$scratch"' EXIT
    mkdir -p "$scratch/Sources/Serial" "$scratch/Sources/SystemCalls" "$scratch/Sources/Journal" "$scratch/Tools/x"
    # Allowed: C in Serial, Glibc in SystemCalls; libc names in comments, strings, help text and labels.
    printf 'import Glibc\nimport CSystemSupport\nlet e = errno\n' > "$scratch/Sources/Serial/Port.swift"
    printf 'import Glibc\nfunc f() { _ = fsync(0) }\n' > "$scratch/Sources/SystemCalls/File.swift"
    printf '%s\n' 'import Foundation' '// fsync(2) and errno in a comment' 'let s = "open(2) failed: errno"' \
        'func poll(_ x: Int) {}' 'let h = """' 'exit (1) on errno EINTR' '"""' 'func g(errno code: Int32) { self.poll(1) }' \
        > "$scratch/Sources/Journal/Fine.swift"
    # Refused, one a line: the expected findings are these files' line numbers.
    printf '%s\n' 'public import Foundation' 'import Glibc' 'let fd = open("/x", O_RDONLY)' 'let e = errno' \
        'fsync(fd)' 'var t = timespec()' > "$scratch/Sources/Journal/Bad.swift"
    printf '%s\n' 'import CModbus' 'exit(1)' > "$scratch/Tools/x/main.swift"
    printf 'public import Glibc\n' > "$scratch/Sources/SystemCalls/Leak.swift"
    found=$(check_sources "$scratch" 2>/dev/null | grep -o '^[^ ]*: ' | sort -u | tr -d ' ' | tr '\n' ' ' || true)
    expected="Sources/Journal/Bad.swift:2: Sources/Journal/Bad.swift:3: Sources/Journal/Bad.swift:4: Sources/Journal/Bad.swift:5: Sources/Journal/Bad.swift:6: Sources/SystemCalls/Leak.swift:1: Tools/x/main.swift:1: Tools/x/main.swift:2: "
    if [ "$found" != "$expected" ]; then
        echo "check-boundaries self-test failed: reported $found"
        echo "                                   expected $expected"
        exit 1
    fi
    echo "check-boundaries: self-test found exactly the planted violations"
    exit 0
fi

check_sources
[ "${1:-}" = "--imports-only" ] && exit 0

# 3. The public API of the library modules, from symbol graphs of the debug build
#    (swift package dump-symbol-graph builds what is missing, then extracts public symbols).
LIBRARY_MODULES="HardwareInterfaces Serial Modbus DeviceDiscovery StrictYAML ProtocolSpec FirmwareProtocols BusRuntime
Drivers Interlock Journal CircuitConfiguration Circuit Simulator HIL HardwareTesting SystemCalls HepaBus HepaBusSimulator"
# dump-symbol-graph exits non-zero when it cannot load the test bundles' modules (never built
# by a plain build, as on a fresh clone); that is accepted only when no library module failed
# and each got a fresh symbol graph (checked below).
started=$(date +%s)
status=0
output=$(swift package dump-symbol-graph --minimum-access-level public 2>&1) || status=$?
directory=$(echo "$output" | sed -n 's/^Files written to //p' | tail -1)
[ -d "$directory" ] || { echo "$output" | tail -20; echo "check-boundaries: no symbol graphs written (exit $status)" >&2; exit 1; }
failed=$(echo "$output" | sed -n "s/.*Failed to emit symbol graph for '\([^']*\)'.*/\1/p" | sort -u | tr '\n' ' ')
if [ "$status" -ne 0 ] && [ -z "$failed" ]; then
    echo "$output" | tail -20; echo "check-boundaries: dump-symbol-graph failed (exit $status)" >&2; exit 1
fi
for module in $LIBRARY_MODULES; do
    case " $failed " in *" $module "*) echo "$output" | tail -20; echo "check-boundaries: no symbol graph for $module" >&2; exit 1;; esac
    graph="$directory/$module.symbols.json"
    if [ ! -f "$graph" ] || [ "$(stat -c %Y "$graph")" -lt "$((started - 1))" ]; then
        echo "check-boundaries: dump-symbol-graph wrote no fresh symbol graph for $module" >&2; exit 1
    fi
done

python3 - "$directory" $LIBRARY_MODULES <<'PY'
import json, os, re, sys

directory, modules = sys.argv[1], set(sys.argv[2:])
# SystemCalls exists to wrap C: its public API is Swift types too, so it is checked like the rest.
C_TYPE_NAMES = re.compile(r"\b(speed_t|termios|termios2|tcflag_t|cc_t|timespec|pollfd|sockaddr\w*|mode_t|off_t|pid_t|"
                          r"pthread_\w+|sig_atomic_t|FILE|modbus_t|udev\w*|stat)\b")
findings, checked = [], 0
for name in sorted(os.listdir(directory)):
    if not name.endswith(".symbols.json"): continue
    module = name.split(".symbols.json")[0].split("@")[0]
    if module not in modules: continue
    with open(os.path.join(directory, name)) as f:
        graph = json.load(f)
    for symbol in graph.get("symbols", []):
        checked += 1
        title = ".".join(symbol.get("pathComponents", []))
        for fragment in symbol.get("declarationFragments", []) + \
                [p for f in symbol.get("functionSignature", {}).get("parameters", []) for p in f.get("declarationFragments", [])] + \
                symbol.get("functionSignature", {}).get("returns", []):
            usr = fragment.get("preciseIdentifier", "")
            if fragment.get("kind") == "typeIdentifier" and (usr.startswith("c:") or C_TYPE_NAMES.fullmatch(fragment.get("spelling", ""))):
                findings.append(f"{module}: public {title} uses C type {fragment['spelling']} ({usr})")
for line in sorted(set(findings)): print(line)
if findings:
    print(f"check-boundaries: {len(set(findings))} C type(s) in public API above", file=sys.stderr)
    sys.exit(1)
if checked == 0:
    print(f"check-boundaries: no public symbols found in {directory}", file=sys.stderr)
    sys.exit(1)
print(f"check-boundaries: {checked} public symbols of {len(modules)} library modules; no C type among them")
PY
