#!/usr/bin/env bash
# Runs every cmocka test binary given, prints each one's output, and ends with
# one total line "total: N passed, N failed, N skipped".  Exit 1 on any failure.
set -u
passed=0; failed=0; skipped=0; crashed=()
for t in "$@"; do
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then crashed+=("$(basename "$t") (exit $rc)"); failed=$((failed + 1)); fi
done
for c in ${crashed[@]+"${crashed[@]}"}; do echo "CRASHED: $c"; done
echo
echo "total: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
