#!/bin/sh
# Checks ./bigcalc against known results.
set -eu
fail=0
check() {
    want=$1; shift
    got=$(./bigcalc "$@" 2>&1) || true
    if [ "$got" = "$want" ]; then
        echo "ok   bigcalc $*  = $got"
    else
        echo "FAIL bigcalc $*: got '$got', want '$want'"
        fail=1
    fi
}
check 14 '2+3*4'
check 20 '(2+3)*4'
check 3 7 / 2
check 1 '7 % 3'
check 1024 '2^10'
check 512 '2^3^2'
check -8 '-2^3'
check 9223372036854775807 '2^62 - 1 + 2^62'
check 'bigcalc: division by zero' '1/0'
check 'bigcalc: missing )' '(1+2'
[ $fail = 0 ] && echo "all tests passed"
exit $fail
