#!/bin/sh
# Tests ./report with the CALC provider on PATH (installed by jux), and with
# each provider found there.
set -eu
unset REPORT_CALC   # the tests choose the calculator themselves
fail=0
expect() {
    # expect NAME WANT GOT
    if [ "$3" = "$2" ]; then
        echo "ok   $1"
    else
        printf 'FAIL %s\n--- got:\n%s\n--- want:\n%s\n' "$1" "$3" "$2"
        fail=1
    fi
}

provider=$(command -v minicalc || command -v bigcalc || true)
if [ -z "$provider" ]; then
    echo "FAIL no CALC provider (minicalc or bigcalc) on PATH"
    exit 1
fi
name=${provider##*/}

expect "report FILE" "count: 5
sum: 15
mean: 3
squares: 55
calc: $name" "$(./report tests/numbers.txt)"

expect "report < stdin, negatives" "count: 3
sum: -6
mean: -2
squares: 14
calc: $name" "$(printf -- '-1\n-2\n-3\n' | ./report)"

expect "report, no numbers" "count: 0
sum: 0
mean: -
squares: 0
calc: $name" "$(printf '' | ./report)"

if printf 'x\n' | ./report >/dev/null 2>&1; then
    echo "FAIL report accepted a non-integer"; fail=1
else
    echo "ok   report rejects a non-integer"
fi

for calc in minicalc bigcalc; do
    path=$(command -v $calc || true)
    [ -n "$path" ] || continue
    expect "report with REPORT_CALC=$calc" "count: 5
sum: 15
mean: 3
squares: 55
calc: $calc" "$(REPORT_CALC=$path ./report tests/numbers.txt)"
done

[ $fail = 0 ] && echo "all tests passed"
exit $fail
