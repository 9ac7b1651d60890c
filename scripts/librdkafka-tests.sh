#!/usr/bin/env bash
# Runs librdkafka's own test suite (its tests/ directory) against a local vonnegut node, as an
# independent judge of Kafka compatibility. Fetches nothing: pass the path of a librdkafka source tree.
#
#   scripts/librdkafka-tests.sh /path/to/librdkafka [test numbers...]   (default: a broker subset)
#
# Builds librdkafka and tests/test-runner there (nice'd; needs build-essential, libssl-dev, zlib1g-dev,
# libzstd-dev, liblz4-dev), starts one node on a free port with a fresh data dir, points tests/test.conf
# at it, and runs each test alone with TEST_KAFKA_VERSION=3.5.0 and a time bound, printing PASS/FAIL
# per test number. Nothing of librdkafka is copied into this repository.
set -euo pipefail
SRC=${1:?usage: $0 LIBRDKAFKA_SRC [test numbers...]}
shift
TESTS_TO_RUN=("$@")
[ ${#TESTS_TO_RUN[@]} -gt 0 ] || TESTS_TO_RUN=(0001 0002 0003 0004 0005 0007 0008 0011 0012 0013 0014 0015 0017 0019 0020 0021 0022 0026 0028 0029 0030 0031 0033 0034 0035 0036 0037 0038 0039 0040 0041 0042 0044 0045 0046 0047 0048 0049 0050 0051 0052 0053 0054 0055 0056 0057 0058 0059 0060 0061 0062 0063 0064 0065 0067 0068 0069 0070 0071 0072 0073 0074 0075 0076 0077 0081 0082 0083 0084 0085 0088 0089 0090 0091 0092 0093 0094 0095 0097 0098 0099 0100 0101 0102 0104 0106 0107 0109 0110 0111 0112 0113 0114 0115 0116 0117 0118 0119 0120 0121 0122 0123 0124 0125 0126 0127 0128 0129 0130 0131 0132 0133 0134 0135 0136 0137 0138 0139 0140 0142 0143 0144 0145 0146 0148 0149 0150 0151 0152 0153)
PER_TEST_SECONDS=${PER_TEST_SECONDS:-300}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -x "$SRC/tests/test-runner" ]; then
  (cd "$SRC" && nice -n 15 ./configure --disable-gssapi --disable-curl --disable-sasl >/dev/null && nice -n 15 make -j2 libs >/dev/null)
  (cd "$SRC/tests" && nice -n 15 make -j2 test-runner >/dev/null)
fi

DATA=$(mktemp -d /tmp/vg-librdkafka-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
node --import tsx "$ROOT/node/src/main.ts" serve --data-dir "$DATA" --port "$PORT" --admin-port -1 --log-level warn >"$DATA.log" 2>&1 &
NODE_PID=$!
trap 'kill "$NODE_PID" 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do grep -q "vonnegut listening" "$DATA.log" && break; sleep 0.5; done
printf 'metadata.broker.list=127.0.0.1:%s\ntest.timeout.multiplier=3\n' "$PORT" >"$SRC/tests/test.conf"

for t in "${TESTS_TO_RUN[@]}"; do
  out=$(cd "$SRC/tests" && LD_LIBRARY_PATH="$SRC/src:$SRC/src-cpp" TESTS=$t TEST_KAFKA_VERSION=3.5.0 timeout "$PER_TEST_SECONDS" ./test-runner -p1 2>&1) && rc=0 || rc=$?
  if [ $rc -eq 0 ]; then echo "$t PASS"; else echo "$t FAIL (exit $rc): $(grep -m1 -E 'FAIL|Test failed|assert' <<<"$out" | cut -c1-200)"; fi
done
