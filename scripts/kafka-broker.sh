#!/usr/bin/env bash
# kafka-broker.sh: a single-node Apache Kafka broker (KRaft: broker and controller in one JVM, no
# ZooKeeper, no Docker) on this machine, from the same Maven artifacts the integration tests use
# (org.apache.kafka:kafka_2.13 on the test classpath of integration-tests/pom.xml), for trying the
# Kafka examples by hand.
#
#   scripts/kafka-broker.sh start [DIR]    start in the background; prints the bootstrap server
#   scripts/kafka-broker.sh stop [DIR]     stop gracefully (SIGTERM; SIGKILL after 30 s)
#   scripts/kafka-broker.sh status [DIR]   whether it runs, and where
#
# DIR (default ./kafka-data) holds everything: server.properties, the logs (logs/), the broker's
# output (broker.log), its PID (broker.pid) and the cached classpath (classpath.txt, resolved by
# Maven on the first start, its output in maven.log; delete it after changing the Kafka version).
# That test classpath includes this project's own modules, so install them once before:
# mvn -B -ntp -q install -DskipTests. The storage is formatted on the first start only, so topics
# and records survive a stop and a start. Environment: KAFKA_PORT (default 9092) for clients,
# KAFKA_CONTROLLER_PORT (default KAFKA_PORT+1), KAFKA_HEAP_OPTS (default -Xmx512m), JAVA (default
# java on PATH, or $JAVA_HOME/bin/java).
# Exit codes: 0 success, 1 failure, 2 usage error.
set -euo pipefail

usage() {
  sed -n '2,/^# Exit codes/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
command=$1
dir=${2:-./kafka-data}

source_path=${BASH_SOURCE[0]}
while [ -L "$source_path" ]; do
  link_dir=$(cd -P "$(dirname "$source_path")" && pwd)
  source_path=$(readlink "$source_path")
  case $source_path in
    /*) ;;
    *) source_path=$link_dir/$source_path ;;
  esac
done
repo=$(cd -P "$(dirname "$source_path")/.." && pwd)

port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
heap_opts=${KAFKA_HEAP_OPTS:--Xmx512m}
if [ -n "${JAVA:-}" ]; then java=$JAVA
elif [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java
else java=java
fi

# The PID in DIR/broker.pid if that process is this directory's broker and still runs.
running_pid() {
  local pid
  [ -f "$dir/broker.pid" ] || return 1
  pid=$(cat "$dir/broker.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Not some other process that got the PID after the broker ended.
  ps -ww -p "$pid" -o args= 2>/dev/null | grep -qF "kafka.Kafka $dir/server.properties" || return 1
  echo "$pid"
}

write_properties() {
  cat > "$dir/server.properties" <<EOF
# A single KRaft node, written by scripts/kafka-broker.sh on each start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:$controller_port
listeners=PLAINTEXT://localhost:$port,CONTROLLER://localhost:$controller_port
advertised.listeners=PLAINTEXT://localhost:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=4000
log.retention.ms=-1
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
log.cleaner.dedupe.buffer.size=4194304
EOF
}

# Kafka and its dependencies, resolved by Maven once and cached in DIR/classpath.txt.
classpath() {
  if [ ! -s "$dir/classpath.txt" ]; then
    echo "Resolving the Kafka broker's classpath with Maven (once; cached in $dir/classpath.txt)..." >&2
    if ! mvn -B -ntp -q -f "$repo/integration-tests/pom.xml" dependency:build-classpath \
        -Dmdep.includeScope=test -Dmdep.outputFile="$dir/classpath.txt" > "$dir/maven.log" 2>&1; then
      grep -v '^\s*$' "$dir/maven.log" | head -n 20 >&2
      rm -f "$dir/classpath.txt"
      echo "kafka-broker.sh: Maven could not resolve integration-tests' test classpath. It includes this" >&2
      echo "project's own modules, so install them first: (cd '$repo' && mvn -B -ntp -q install -DskipTests)" >&2
      exit 1
    fi
  fi
  cat "$dir/classpath.txt"
}

# The JVM's options: slf4j-simple at info (the examples jar on this classpath sets error), to stdout.
read -r -a java_opts <<< "$heap_opts"
java_opts+=(-XX:+UseSerialGC -Djava.awt.headless=true
  -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true
  -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS -Dorg.slf4j.simpleLogger.logFile=System.out)

run_java() {
  "$java" "${java_opts[@]}" -cp "$cp" "$@"
}

# The first errors the broker logged since line $1 of broker.log (each with the line after it, the
# exception), or its last lines if it logged none.
errors() {
  if tail -n +"$1" "$dir/broker.log" | grep -q ' ERROR '; then
    tail -n +"$1" "$dir/broker.log" | grep -A1 ' ERROR ' | head -n 12 >&2
  else
    tail -n 30 "$dir/broker.log" >&2
  fi
}

start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local pid
  if pid=$(running_pid); then
    echo "Kafka broker already running (PID $pid); bootstrap server: $(sed -n 's/^advertised.listeners=PLAINTEXT:\/\///p' "$dir/server.properties")"
    return 0
  fi
  cp=$(classpath)
  write_properties
  if [ ! -f "$dir/logs/meta.properties" ]; then
    local cluster_id
    cluster_id=$(run_java -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.logFile=System.err \
      kafka.tools.StorageTool random-uuid 2>/dev/null)
    echo "Formatting $dir/logs (cluster id $cluster_id)..." >&2
    if ! run_java -XX:TieredStopAtLevel=1 kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
        > "$dir/format.log" 2>&1; then
      tail -n 20 "$dir/format.log" >&2
      echo "kafka-broker.sh: formatting the storage failed; see $dir/format.log" >&2
      exit 1
    fi
  fi

  local from
  from=$(( $( [ -f "$dir/broker.log" ] && wc -l < "$dir/broker.log" || echo 0 ) + 1 ))
  echo "---- $(date '+%F %T') kafka.Kafka $dir/server.properties ----" >> "$dir/broker.log"
  nohup "$java" "${java_opts[@]}" -cp "$cp" kafka.Kafka "$dir/server.properties" < /dev/null >> "$dir/broker.log" 2>&1 &
  pid=$!
  echo "$pid" > "$dir/broker.pid"

  # Ready when the broker logs that it started (it then takes requests), at most 60 s.
  local waited=0
  until tail -n +"$from" "$dir/broker.log" | grep -q 'Kafka Server started'; do
    if ! kill -0 "$pid" 2>/dev/null; then
      errors "$from"
      rm -f "$dir/broker.pid"
      echo "kafka-broker.sh: the broker exited; see $dir/broker.log (is port $port or $controller_port in use?)" >&2
      exit 1
    fi
    if [ "$waited" -ge 600 ]; then
      errors "$from"
      echo "kafka-broker.sh: the broker (PID $pid) did not start within 60 s; see $dir/broker.log" >&2
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "Kafka broker running (PID $pid, data in $dir, log $dir/broker.log)."
  echo "Bootstrap server: localhost:$port"
}

stop() {
  if [ ! -d "$dir" ]; then
    echo "No Kafka broker data in $dir." >&2
    return 0
  fi
  dir=$(cd "$dir" && pwd)
  local pid
  if ! pid=$(running_pid); then
    rm -f "$dir/broker.pid"
    echo "No Kafka broker running for $dir."
    return 0
  fi
  kill -TERM "$pid"
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge 300 ]; then
      echo "The broker did not stop within 30 s: killing it (SIGKILL)." >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$dir/broker.pid"
  echo "Kafka broker stopped (PID $pid)."
}

status() {
  local pid
  if [ -d "$dir" ] && dir=$(cd "$dir" && pwd) && pid=$(running_pid); then
    echo "Kafka broker running (PID $pid); bootstrap server: $(sed -n 's/^advertised.listeners=PLAINTEXT:\/\///p' "$dir/server.properties")"
  else
    echo "No Kafka broker running for $dir."
    return 1
  fi
}

case $command in
  start) start ;;
  stop) stop ;;
  status) status ;;
  -h|--help|help) usage ;;
  *) usage ;;
esac
