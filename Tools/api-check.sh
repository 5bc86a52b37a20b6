#!/usr/bin/env bash
# Semantic versioning, checked: the library products' public API against the last release.
# A change that breaks it fails here unless it is listed, exact message per line, in
# api-breakage-allowlist.txt (allowed while the version is 0.x, or with a major version
# bump: the release that ships it empties the list).
#
# The baseline is the newest release tag (X.Y.Z); where tags did not travel with the clone,
# the release commit recorded in .api-baseline ("VERSION COMMIT").
set -euo pipefail
cd "$(dirname "$0")/.."

baseline=$(git tag --list --sort=-v:refname | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | head -n1 || true)
name=$baseline
if [ -z "$baseline" ] && [ -f .api-baseline ]; then
    read -r name baseline < .api-baseline
    if ! git cat-file -e "$baseline^{commit}" 2>/dev/null; then
        echo "api-check: .api-baseline names release $name at $baseline, which this clone does not have" >&2
        exit 1
    fi
fi
if [ -z "$baseline" ]; then
    echo "api-check: no release yet (no X.Y.Z tag, no .api-baseline): nothing to compare against"
    exit 0
fi
if git diff --quiet "$baseline" HEAD -- Sources Package.swift; then
    echo "api-check: no change to Sources/ or Package.swift since release $name: nothing to compare"
    exit 0
fi
echo "api-check: public API of HepaBus, HepaBusSimulator and HardwareTesting against release $name ($(git rev-parse --short "$baseline^{commit}"))"
exec swift package diagnose-api-breaking-changes "$baseline" \
    --products HepaBus HepaBusSimulator HardwareTesting \
    --breakage-allowlist-path api-breakage-allowlist.txt
