#!/usr/bin/env python3
"""Every public symbol of the package's library modules has a doc comment (docs/STYLE.md).

Reads the symbol graphs `swift package dump-symbol-graph` writes (public symbols,
synthesized members skipped) and lists, per module, each public symbol without a doc
comment as file:line: kind name. Exits 1 if any, 0 if none, 2 if it could not check.

A member that implements a protocol requirement and has no comment of its own shows the
requirement's comment in the documentation (DocC inherits it); it counts as documented.

Scope: the modules of the HepaBus, HepaBusSimulator and HardwareTesting products (the
ones `make docs` documents) and the package-internal libraries whose comments are complete
(StrictYAML, ProtocolSpec, HIL, HepaBusCLI, SystemCalls). Test targets, tools and benchmarks are outside
it. Generated code is inside: FirmwareProtocols/Generated gets its comments from the generator
(Sources/ProtocolSpec, `make protocols`).

Usage: Tools/doc-coverage.py [--symbol-graphs DIR] [--modules A,B,...]
"""

import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

PRODUCT_MODULES = [
    # HepaBus (the controller's library)
    "BusRuntime", "Circuit", "CircuitConfiguration", "DeviceDiscovery", "Drivers",
    "FirmwareProtocols", "HardwareInterfaces", "Interlock", "Journal", "Modbus", "Serial",
    # HepaBusSimulator, HardwareTesting
    "Simulator", "HardwareTesting",
]

# The package-internal libraries: public only to be shared inside this package, outside the
# products and `make docs`, held to the same rule.
INTERNAL_MODULES = ["StrictYAML", "ProtocolSpec", "HIL", "HepaBusCLI", "SystemCalls"]

# The modules `make doc-coverage` holds to it.
CHECKED_MODULES = PRODUCT_MODULES + INTERNAL_MODULES


def cannot_check(message):
    """Ends with status 2: the check itself could not run."""
    print(message, file=sys.stderr)
    sys.exit(2)


def dump_symbol_graphs(root, modules):
    """Builds the package and writes its symbol graphs; returns their folder.

    dump-symbol-graph exits non-zero when it cannot load the test bundles' modules
    (HepaBusPackageTests: never built by a plain build); that is accepted only when every
    module checked here got a fresh symbol graph.
    """
    command = ["swift", "package", "dump-symbol-graph", "--minimum-access-level", "public",
               "--skip-synthesized-members"]
    started = time.time()
    run = subprocess.run(command, cwd=root, capture_output=True, text=True)
    output = run.stdout + run.stderr
    match = re.search(r"Files written to (\S+)", output)
    failed = set(re.findall(r"Failed to emit symbol graph for '([^']+)'", output))
    if not match or failed & set(modules) or (run.returncode != 0 and not failed):
        sys.stderr.write(output)
        cannot_check(f"doc-coverage: {' '.join(command)} failed (exit {run.returncode})")
    folder = match.group(1)
    for module in modules:
        path = os.path.join(folder, f"{module}.symbols.json")
        if not os.path.exists(path) or os.path.getmtime(path) < started - 1:
            cannot_check(f"doc-coverage: dump-symbol-graph wrote no fresh symbol graph for {module}")
    return folder


def has_doc_comment(symbol):
    comment = symbol.get("docComment")
    return bool(comment) and any(line.get("text", "").strip() for line in comment.get("lines", []))


def place(symbol, root):
    location = symbol.get("location")
    if not location:
        return ("?", 0)
    path = urllib.request.url2pathname(urllib.parse.urlparse(location["uri"]).path)
    return (os.path.relpath(path, root), location["position"]["line"] + 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbol-graphs", help="a folder of *.symbols.json already dumped (else dump them)")
    parser.add_argument("--modules", help="comma-separated modules to check (default: the products' modules)")
    args = parser.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    modules = args.modules.split(",") if args.modules else CHECKED_MODULES
    folder = args.symbol_graphs or dump_symbol_graphs(root, modules)

    missing = collections.defaultdict(list)
    totals = collections.Counter()
    for module in modules:
        files = glob.glob(os.path.join(folder, f"{module}.symbols.json")) \
            + glob.glob(os.path.join(folder, f"{module}@*.symbols.json"))
        if not files:
            cannot_check(f"doc-coverage: no symbol graph for module {module} in {folder}")
        seen = set()
        for file in files:
            with open(file) as handle:
                graph = json.load(handle)
            for symbol in graph["symbols"]:
                identifier = symbol["identifier"]["precise"]
                if identifier in seen:
                    continue
                seen.add(identifier)
                totals[module] += 1
                if not has_doc_comment(symbol):
                    file_name, line = place(symbol, root)
                    kind = symbol["kind"]["identifier"].removeprefix("swift.")
                    name = ".".join(symbol["pathComponents"])
                    missing[module].append((file_name, line, kind, name))

    for module in modules:
        for file_name, line, kind, name in sorted(missing[module]):
            print(f"{file_name}:{line}: {module}: {kind} {name} has no doc comment")
    print()
    print("public symbols without a doc comment, per module:")
    for module in modules:
        print(f"  {module:22} {len(missing[module]):4} of {totals[module]}")
    count = sum(len(v) for v in missing.values())
    print(f"doc-coverage: {count} undocumented of {sum(totals.values())} public symbols")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())
