#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ and runs each for a bounded time (or number of runs),
# printing one JSON line per target:
#   {"target":"rtu-decoder","executions":N,"seconds":S,"crashes":C,"execs_per_sec":E,"artifacts":[...]}
# Exits non-zero when any target found a crash, a hang (-timeout), or ran out of memory (-rss_limit_mb).
#
#   Tools/fuzz.sh [TARGET...]          every target when none named
#   FUZZ_SECONDS=60                    seconds per target (default 60)
#   FUZZ_RUNS=N                        stop after N executions instead (overrides FUZZ_SECONDS)
#   FUZZ_RSS_MB=2048 FUZZ_TIMEOUT=10   memory limit (MB) and per-input time limit (s)
#   Tools/fuzz.sh --replay TARGET FILE...   run inputs (e.g. a crash file) through a target once
#
# The targets exist in the manifest only with HEPABUS_FUZZ set, and are built in .build-fuzz
# (instrumented with -sanitize=fuzzer, linked by lld: gold fails on libFuzzer's runtime), so
# the normal build never sees them. Seeds are in Fuzz/corpus/TARGET; what the fuzzer adds
# goes to .build-fuzz/corpus/TARGET, findings to .build-fuzz/findings/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT=${SWIFT:-swift}
SCRATCH=.build-fuzz
ALL_TARGETS=(rtu-decoder modbus-pdu modbus-reply ascii-pump journal circuit-file scenario firmware-protocol control-command)

replay=0
if [[ ${1:-} == --replay ]]; then replay=1; shift; fi
if [[ $replay == 1 ]]; then targets=("$1"); shift; else targets=("${@:-${ALL_TARGETS[@]}}"); fi
if [[ ${#targets[@]} == 0 ]]; then targets=("${ALL_TARGETS[@]}"); fi

for target in "${targets[@]}"; do
    [[ -d Fuzz/$target ]] || { echo "fuzz.sh: no target '$target' (Fuzz/$target); targets: ${ALL_TARGETS[*]}" >&2; exit 2; }
    HEPABUS_FUZZ=1 "$SWIFT" build -c release --scratch-path "$SCRATCH" \
        -Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing -Xswiftc -use-ld=lld \
        --product "fuzz-$target" >&2
done
bin=$(HEPABUS_FUZZ=1 "$SWIFT" build -c release --scratch-path "$SCRATCH" --show-bin-path)

if [[ $replay == 1 ]]; then
    exec "$bin/fuzz-${targets[0]}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -timeout="${FUZZ_TIMEOUT:-10}" "$@"
fi

if [[ -n ${FUZZ_RUNS:-} ]]; then bound=(-runs="$FUZZ_RUNS"); else bound=(-max_total_time="${FUZZ_SECONDS:-60}"); fi
failed=0
for target in "${targets[@]}"; do
    corpus=$SCRATCH/corpus/$target findings=$SCRATCH/findings/$target log=$SCRATCH/logs/$target.log
    mkdir -p "$corpus" "$findings" "$(dirname "$log")" "Fuzz/corpus/$target"
    rm -f "$findings"/*
    start=$(date +%s.%N)
    status=0
    # The working corpus first: libFuzzer adds new inputs to the first directory only.
    "$bin/fuzz-$target" "${bound[@]}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -timeout="${FUZZ_TIMEOUT:-10}" \
        -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1 || status=$?
    end=$(date +%s.%N)
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    artifacts=$(cd "$findings" && ls -1 2>/dev/null | sed 's/.*/"&"/' | paste -sd, -)
    crashes=$(ls -1 "$findings" | wc -l)
    if [[ $status != 0 && $crashes == 0 ]]; then crashes=1; fi   # died without leaving an input
    (( crashes == 0 )) || failed=1
    awk -v t="$target" -v n="${executions:-0}" -v s="$start" -v e="$end" -v c="$crashes" -v a="$artifacts" -v l="$log" 'BEGIN {
        secs = e - s
        printf "{\"target\":\"%s\",\"executions\":%d,\"seconds\":%.1f,\"crashes\":%d,\"execs_per_sec\":%d,\"artifacts\":[%s],\"log\":\"%s\"}\n",
               t, n, secs, c, (secs > 0 ? n / secs : 0), a, l
    }'
done
exit $failed
