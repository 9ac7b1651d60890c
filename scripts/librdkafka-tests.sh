#!/usr/bin/env bash
# Runs librdkafka's own test suite (its tests/ directory) against local vonnegut nodes, as an
# independent judge of Kafka compatibility. Fetches nothing: pass the path of a librdkafka source tree.
#
#   scripts/librdkafka-tests.sh /path/to/librdkafka [test numbers...]   (default: every test number)
#
# Builds librdkafka and tests/test-runner there (nice'd; needs build-essential, libssl-dev, zlib1g-dev,
# libzstd-dev, liblz4-dev, and rapidjson-dev or the C++ tests 0098/0101/0110 skip themselves), then
# starts two nodes on free ports with fresh data dirs, configured as
# librdkafka's tests/scenarios/*.json configure their brokers (num.partitions=4): one with topic
# auto-creation for the "default" scenario, one without for the "noautocreate" scenario; both run with an
# authorizer (an ACL file allowing User:* everything, as a Kafka broker with an authorizer and an allow-all
# ACL), so the ACL admin APIs work and tests can add denying ACLs. Each test number
# runs alone with TEST_KAFKA_VERSION=3.5.0, the runner's -L (broker tests only: the runner's own
# TEST_F_LOCAL mock/local tests are skipped, as are tests whose minimum broker version is above 3.5.0)
# and a time bound. Prints one line per test number (PASS / FAIL / SKIP with the reason) and a summary;
# with OUT_MD=file also writes that table as markdown (docs/librdkafka-suite.md keeps the latest, with
# its date, commits and duration: about 43 min here). Nothing of librdkafka is copied into this repo.
set -euo pipefail
SRC=${1:?usage: $0 LIBRDKAFKA_SRC [test numbers...]}
shift
SRC=$(cd "$SRC" && pwd)
PER_TEST_SECONDS=${PER_TEST_SECONDS:-600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TESTC="$SRC/tests/test.c"

TESTS_TO_RUN=("$@")
# Every test number the runner knows, from its tests[] table.
[ ${#TESTS_TO_RUN[@]} -gt 0 ] || mapfile -t TESTS_TO_RUN < <(grep -oE '_TEST\([0-9]{4}_' "$TESTC" | grep -oE '[0-9]{4}' | sort -u | grep -v '^0000$' | grep -vE '^8')
# Numbers with a test in the "noautocreate" scenario (they run a second time against the second node).
mapfile -t NOAUTO < <(awk '/_TEST\(/ { match($0, /[0-9][0-9][0-9][0-9]/); n = substr($0, RSTART, 4) } /"noautocreate"/ { print n }' "$TESTC" | sort -u)

if [ ! -x "$SRC/tests/test-runner" ]; then
  (cd "$SRC" && nice -n 15 ./configure --disable-gssapi --disable-curl --disable-sasl >/dev/null && nice -n 15 make -j2 libs >/dev/null)
  (cd "$SRC/tests" && nice -n 15 make -j2 test-runner >/dev/null)
fi

WORK=$(mktemp -d /tmp/vg-librdkafka-XXXXXX)
PIDS=()
printf '%s\n' '{"acls": [' \
  '{"principal": "User:*", "resourceType": "topic", "resourceName": "*", "operations": ["all"], "permission": "allow"},' \
  '{"principal": "User:*", "resourceType": "group", "resourceName": "*", "operations": ["all"], "permission": "allow"},' \
  '{"principal": "User:*", "resourceType": "transactional_id", "resourceName": "*", "operations": ["all"], "permission": "allow"},' \
  '{"principal": "User:*", "resourceType": "cluster", "resourceName": "kafka-cluster", "operations": ["all"], "permission": "allow"}]}' >"$WORK/acl.json"
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# start_node NAME EXTRA_ARGS...: starts a node, writes $WORK/NAME.conf (librdkafka test.conf) for it.
start_node() {
  local name=$1; shift
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$WORK/$name"
  node --import tsx "$ROOT/node/src/main.ts" serve --data-dir "$WORK/$name" --port "$port" --admin-port -1 \
    --log-level warn --default-partitions 4 --acl-file "$WORK/acl.json" "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_$name=$!"
  for _ in $(seq 1 240); do grep -q "vonnegut listening" "$WORK/$name.log" && break; sleep 0.5; done
  printf 'metadata.broker.list=127.0.0.1:%s\ntest.timeout.multiplier=3\n' "$port" >"$WORK/$name.conf"
}
start_node default
start_node noauto --auto-create-topics false

# Tests that shell out to Kafka's bin/kafka-topics.sh (0045's noautocreate cases, 0052, 0077) or
# bin/kafka-acls.sh (0109, 0115, 0119) get scripts/kafka-topics-standin.ts and kafka-acls-standin.ts there
# instead: Kafka's own distribution does not run here. They go to the node through kafkajs's admin client.
# STANDIN=0 leaves KAFKA_PATH unset.
if [ "${STANDIN:-1}" != 0 ]; then
  mkdir -p "$WORK/kafka/bin"
  for tool in kafka-topics kafka-acls; do
    printf '#!/bin/sh\ncd "%s" && exec node --import tsx scripts/%s-standin.ts "$@"\n' "$ROOT" "$tool" >"$WORK/kafka/bin/$tool.sh"
    chmod +x "$WORK/kafka/bin/$tool.sh"
  done
fi

# run_one NUMBER SCENARIO NODE: runs one test number, prints its line.
run_one() {
  local t=$1 scenario=$2 nodename=$3 pid rc out start secs summary label reason
  pid=$(eval echo "\$PID_$nodename")
  if ! kill -0 "$pid" 2>/dev/null; then echo "$t ${scenario}: node $nodename died; restarting" >&2; start_node "$nodename" $([ "$nodename" = noauto ] && echo --auto-create-topics false); fi
  start=$(date +%s)
  local brokers
  brokers=$(sed -n 's/^metadata.broker.list=//p' "$WORK/$nodename.conf")
  [ "${STANDIN:-1}" = 0 ] || export KAFKA_PATH="$WORK/kafka" BROKERS="$brokers"
  out=$(cd "$SRC/tests" && RDKAFKA_TEST_CONF="$WORK/$nodename.conf" LD_LIBRARY_PATH="$SRC/src:$SRC/src-cpp" TESTS=$t \
    TEST_KAFKA_VERSION=3.5.0 nice -n 5 timeout "$PER_TEST_SECONDS" ./test-runner -L -p1 -s "$scenario" 2>&1) && rc=0 || rc=$?
  secs=$(( $(date +%s) - start ))
  # The runner's summary lines: "| 0045_subscribe_update   |     PASSED |   1.234s | ...".
  summary=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$out" | grep -E "^\| ${t}_" || true)
  if [ $rc -ne 0 ] || grep -qE '\| +(FAILED|RUNNING) +\|' <<<"$summary"; then
    label=FAIL
    reason=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$out" | grep -m1 -E 'FAILED|Test failed|failed at|failed with|assert|KAFKA_PATH' | cut -c1-220 || true)
    [ $rc -eq 124 ] && reason="timed out after ${PER_TEST_SECONDS}s; $reason"
    grep -q 'KAFKA_PATH.*must be set' <<<"$out" && reason="needs Kafka CLI (KAFKA_PATH): $reason"
    grep -qE 'kafka-(topics|acls) stand-in' <<<"$out" && reason="$reason; $(grep -m1 -E 'kafka-(topics|acls) stand-in' <<<"$out" || true)"
  elif grep -q PASSED <<<"$summary"; then
    label=PASS; reason=$(grep -oE '^\| [0-9]{4}[a-z_0-9]* +\| +PASSED' <<<"$summary" | awk '{print $2}' | paste -sd, - || true)
  else
    label=SKIP; reason=$(grep -m1 -oE 'SKIPPED +\|[^|]*\|.*' <<<"$summary" | sed -E 's/SKIPPED +\|[^|]*\| *//' | cut -c1-160 || true)
    [ -n "$reason" ] || reason="no broker test in scenario $scenario"
    [ "$reason" != "Filtered due to negative test flags" ] || reason="runner flags: local/mock-only (TEST_F_LOCAL, excluded by -L) or TEST_F_KNOWN_ISSUE"
  fi
  printf '%s\t%s\t%s\t%ss\t%s\n' "$t" "$scenario" "$label" "$secs" "$reason"
  [ -z "${KEEP_LOGS:-}" ] || printf '%s\n' "$out" >"$KEEP_LOGS/$t-$scenario.log"
  return 0
}

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
T0=$(date +%s)
for t in "${TESTS_TO_RUN[@]}"; do
  run_one "$t" default default | tee -a "$RESULTS"
  if printf '%s\n' "${NOAUTO[@]}" | grep -qx "$t"; then run_one "$t" noautocreate noauto | tee -a "$RESULTS"; fi
done
TOTAL=$(( $(date +%s) - T0 ))
echo "summary: $(grep -c $'\tPASS\t' "$RESULTS" || true) pass, $(grep -c $'\tFAIL\t' "$RESULTS" || true) fail, $(grep -c $'\tSKIP\t' "$RESULTS" || true) skip; ${TOTAL}s"
if [ -n "${OUT_MD:-}" ]; then
  {
    echo "| test | scenario | result | time | detail |"
    echo "|---|---|---|---|---|"
    awk -F'\t' '{ gsub(/\|/, "/", $5); printf "| %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5 }' "$RESULTS"
    echo
    echo "Total: $(grep -c $'\tPASS\t' "$RESULTS" || true) pass, $(grep -c $'\tFAIL\t' "$RESULTS" || true) fail, $(grep -c $'\tSKIP\t' "$RESULTS" || true) skip in ${TOTAL}s."
  } >"$OUT_MD"
fi
