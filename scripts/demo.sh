#!/usr/bin/env bash
# make demo: start the dev stack in the background (data in .data/), run a
# simulated sales organisation of about 50 people over 60 days (after 60
# honest warm-up days) through the public gRPC APIs into a fresh tenant,
# print the detection report and example alerts, and leave the stack
# running for the HR console.
set -euo pipefail
cd "$(dirname "$0")/.."
HF=bin/holdfast
DATA=.data
mkdir -p "$DATA"
LOG=$DATA/dev.log
PIDFILE=$DATA/dev.pid
HTTP=${HOLDFAST_HTTP_ADDR:-127.0.0.1:9100}
EMPLOYEES=${DEMO_EMPLOYEES:-50}
DAYS=${DEMO_DAYS:-60}
WARMUP=${DEMO_WARMUP:-60}

if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
	echo "== a dev stack started by make demo is already running (pid $(cat "$PIDFILE")); using it"
else
	echo "== starting holdfast dev (data in $DATA/, log in $LOG)"
	# setsid: the stack outlives this script and the terminal's Ctrl-C.
	setsid "$HF" dev >"$DATA/dev.out" 2>"$LOG" </dev/null &
	echo $! >"$PIDFILE"
fi
if ! "$HF" ready --addr "$HTTP" --timeout 60s >/dev/null; then
	echo "holdfast dev did not become ready; last log lines from $LOG:"
	tail -20 "$LOG"
	kill "$(cat "$PIDFILE")" 2>/dev/null || true
	rm -f "$PIDFILE"
	exit 1
fi

# A fresh tenant per run: the simulator refuses a tenant it already filled.
TENANT=sim-$(date -u +%Y%m%d-%H%M%S)
echo "== simulating $EMPLOYEES salespeople over $DAYS days (+$WARMUP warm-up days) in tenant $TENANT"
START=$(date +%s)
"$HF" sim --tenant "$TENANT" --employees "$EMPLOYEES" --days "$DAYS" --warmup "$WARMUP" --seed 1 \
	--examples 5 --report-json "$DATA/sim-report-$TENANT.json"
echo
echo "== simulation, alert read-back and report took $(($(date +%s) - START))s; JSON report in $DATA/sim-report-$TENANT.json"
echo
sed -n '/^  ClientService/,/^  data/p' "$DATA/dev.out"
cat <<EOF

HR console: http://localhost:7180 — sign in as hr1, role hr, tenant $TENANT.
From a shell:  $HF alerts list --tenant $TENANT --as hr1 --role hr --min-severity medium

The stack keeps running (pid $(cat "$PIDFILE"), log $LOG).
Stop it with:  kill \$(cat $PIDFILE)      Start over: stop it, then rm -rf $DATA
EOF
