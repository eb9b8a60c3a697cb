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

for _ in $(seq 1 100); do
	if curl -fsS http://127.0.0.1:9100/readyz >/dev/null 2>&1; then break; fi
	if ! kill -0 $DEV 2>/dev/null; then echo "holdfast dev exited; see $LOG"; tail -20 "$LOG"; exit 1; fi
	sleep 0.2
done
cat .data/dev.out

echo "== demo: e1 (sales) registers a customer and writes a private-deal message"
set -x
CID=$("$HF" customer register --tenant acme --as e1 --role sales \
	--name 王伟 --company 上海星海贸易有限公司 --phone "138 0013 8000" --source trade_show -q)
SEQ=$("$HF" interaction log --tenant acme --as e1 --role sales \
	--customer "$CID" --text "加我私人微信，这单我们走私单" -q)
"$HF" alerts list --tenant acme --as hr1 --role hr --employee e1 --consistent-with "CLIENT:$SEQ"
set +x
echo
echo "The stack keeps running (logs in $LOG); Ctrl-C stops it."
wait $DEV
