#!/usr/bin/env bash
# Every code block in README.md marked `<!-- verbatim: PATH -->` must be PATH's text exactly:
# the README's samples are real code that `make test` builds and runs, never a copy that drifts.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import re, sys
text = open("README.md").read()
marks = list(re.finditer(r"<!-- verbatim: (\S+) -->\n```[a-z]*\n(.*?)```\n", text, re.S))
if not marks:
    sys.exit("README.md: no <!-- verbatim: PATH --> block found (the controller sample must be one)")
failed = False
for m in marks:
    path, block = m.group(1), m.group(2)
    line = text.count("\n", 0, m.start()) + 1
    try:
        source = open(path).read()
    except OSError as e:
        print(f"README.md:{line}: {path}: {e.strerror}"); failed = True; continue
    if block != source:
        a, b = block.splitlines(), source.splitlines()
        n = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
        print(f"README.md:{line}: the sample differs from {path} at its line {n + 1}:")
        print(f"  README: {a[n] if n < len(a) else '(ends)'}")
        print(f"  file:   {b[n] if n < len(b) else '(ends)'}")
        failed = True
    else:
        print(f"README.md:{line}: sample is {path}, verbatim")
sys.exit(1 if failed else 0)
PY
