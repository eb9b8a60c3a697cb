#!/usr/bin/env bash
# make demo: start the dev stack, run the README example against it through
# the public gRPC API, print the alert, and leave the stack running.
set -euo pipefail
cd "$(dirname "$0")/.."
HF=bin/holdfast
mkdir -p .data
LOG=.data/dev.log

"$HF" dev >.data/dev.out 2>"$LOG" &
DEV=$!
trap 'kill $DEV 2>/dev/null || true' INT TERM

if ! "$HF" ready --addr 127.0.0.1:9100 --timeout 60s; then
	echo "holdfast dev did not become ready; last log lines from $LOG:"
	tail -20 "$LOG"
	kill $DEV 2>/dev/null || true
	exit 1
fi
cat .data/dev.out

echo "== demo: e1 (sales) registers a customer and writes a private-deal message"
set -x
CID=$("$HF" customer register --tenant acme --as e1 --role sales \
	--name 王伟 --company 上海星海贸易有限公司 --phone "138 0013 8000" --source trade_show --request-id demo-customer -q)
SEQ=$("$HF" interaction log --tenant acme --as e1 --role sales \
	--customer "$CID" --text "加我私人微信，这单我们走私单" --request-id demo-chat -q)
"$HF" alerts list --tenant acme --as hr1 --role hr --employee e1 --consistent-with "CLIENT:$SEQ"
set +x
echo
echo "The stack keeps running (logs in $LOG); Ctrl-C stops it."
wait $DEV
