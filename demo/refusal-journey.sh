#!/usr/bin/env bash
# The refusal journey against the bundled CDEK sandbox, start to finish:
# start the sandbox, get a token with CDEK's published test account, create an order to a
# pick-up point, let the parcel travel there, refuse it with `oint cdek CreateRefusal`
# (the recipient did not collect it), show the order's status, stop the sandbox.
#
# Run from anywhere:  bash demo/refusal-journey.sh
# It makes ./.venv with oint installed if there is none (set OINT_BIN to use another bin folder).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${OINT_BIN:-.venv/bin}
if [ ! -x "$BIN/oint" ]; then
  echo "# setting up .venv (one time)" >&2
  python3 -m venv .venv
  .venv/bin/python -m pip install -q -e .
  BIN=.venv/bin
fi
export PATH="$BIN:$PATH"


# CDEK's published test account (api-docs.cdek.ru); the sandbox accepts it as CDEK's edu server does.
ACCOUNT=wqGwiQx0gg8mLtiEKsUinjVSICCjtTEP
export OINT_CDEK_PASSWORD=RmAmgvSgSl1yirlz9QupbzOJVqhCxcP5

log=$(mktemp)
oint sandbox cdek --port 0 >"$log" 2>&1 &  # writes settle after CDEK-like seconds
sandbox=$!
stop() { kill "$sandbox" 2>/dev/null && wait "$sandbox" 2>/dev/null; rm -f "$log"; }
trap stop EXIT

for _ in $(seq 100); do
  grep -q '^OINT_CDEK_BASE_URL=' "$log" && break
  sleep 0.1
done
line=$(grep -m1 '^OINT_CDEK_BASE_URL=' "$log") || { cat "$log" >&2; exit 1; }
export "${line?}"
SANDBOX="${OINT_CDEK_BASE_URL%/v2}/_sandbox"  # the sandbox's control endpoints (not CDEK's)
printf '== sandbox started: %s\n' "$line"

show() {  # print a command, run it, keep its JSON in $out
  printf '\n$ %s\n' "$*"
  out=$("$@")
  printf '%s\n' "$out"
}
field() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[int(k)] if k.isdigit() else d[k]
print(d)' "$1" <<<"$out"; }
printf '\n== 1. token (the password comes from OINT_CDEK_PASSWORD; the token is masked here)\n'
printf '$ oint cdek GetToken --account %s --testapi\n' "$ACCOUNT"
out=$(oint cdek GetToken --account "$ACCOUNT" --testapi)
OINT_CDEK_TOKEN=$(field access_token)
export OINT_CDEK_TOKEN
printf '%s\n' "${out//$OINT_CDEK_TOKEN/***}"

printf '\n== 2. create an order and wait until CDEK has processed it (--wait polls, as a real'
printf ' integration would; OINT_CDEK_TOKEN is set, so no --token on the command line)'
show oint cdek CreateOrder --order demo/order.json --ostore true --testapi --wait
uuid=$(field entity.uuid)

printf '\n== 3. the order, as anyone reads it later'
show oint cdek GetOrder --uuid "$uuid" --testapi

printf '\n== 4. the parcel travels to the pick-up point (the sandbox plays CDEK'"'"'s part)\n'
printf '$ POST %s/orders/%s/journey {"to": "ACCEPTED_AT_PICK_UP_POINT"}\n' "$SANDBOX" "$uuid"
python3 - "$SANDBOX/orders/$uuid/journey" <<'PY'
import json, sys, urllib.request
body = json.dumps({"to": "ACCEPTED_AT_PICK_UP_POINT"}).encode()
request = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=10) as answer:
    for status in reversed(json.load(answer)["entity"]["statuses"]):
        print(f"  {status['date_time']}  {status['code']:<40} {status['city']}")
PY

printf '\n== 5. the recipient does not collect it: refuse the order; with --wait, oint prints'
printf ' the order once CDEK has processed the refusal'
show oint cdek CreateRefusal --uuid "$uuid" --testapi --wait

printf '\n== 6. the order after the refusal: NOT_DELIVERED, reason 11'
printf '\nstatus now: %s (reason %s)\n' "$(field entity.statuses.0.code)" \
  "$(field entity.statuses.0.reason_code)"

printf '\n== 7. sandbox stopped\n'
