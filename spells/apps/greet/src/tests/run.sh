#!/bin/sh
# Runs the greet just built with the test message file (greet-data is only a
# run-time dependency, so it need not be installed yet).
set -eu
fail=0
check() {
    want=$1; shift
    got=$(NO_COLOR=1 GREET_DATA_DIR=tests "$@")
    if [ "$got" = "$want" ]; then
        echo "ok   $*"
    else
        printf 'FAIL %s\n  got:  %s\n  want: %s\n' "$*" "$got" "$want"
        fail=1
    fi
}
check "Hello, world!
Test message." ./greet
check "Hello, jux!
Test message." ./greet jux
if GREET_DATA_DIR=/nonexistent ./greet >/dev/null 2>&1; then
    echo "FAIL greet without a message file succeeded"; fail=1
else
    echo "ok   greet without a message file fails"
fi
[ $fail = 0 ] && echo "all tests passed"
exit $fail
