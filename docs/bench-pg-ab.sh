#!/bin/sh
# A against B on PostgreSQL, alternated so that a shared machine's drift falls on both: the
# spread load with 1 and 3 replicas (or REPLICAS), ROUNDS times each (BENCHMARKS.md, session 10). Run inside
#   pg_virtualenv -t -o fsync=on -o max_connections=400 sh docs/bench-pg-ab.sh DIR_A DIR_B [ROUNDS]
# where each DIR holds a release guichet-server and guichet-load; DIR_B `-` runs A alone (1
# against 3 replicas of one build). Prints one line a run with the CPU left idle during it
# (from /proc/stat), so a CPU-bound run shows as such, and the replicas' CPU an order.
# HOT=SESSION runs the hot load instead (every order's first line on that session, 6 s a run,
# as docs/bench-pg-load.sh does).
A=$1 B=${2:--} ROUNDS=${3:-3} REPLICAS=${REPLICAS:-1 3}
if [ -n "$HOT" ]; then load="--seconds 6 --hot $HOT"; else load="--seconds 10"; fi
[ "$B" = - ] && B=
idle() { awk '/^cpu /{print $5+$6, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
n=0
for round in $(seq 1 "$ROUNDS"); do
  for replicas in $REPLICAS; do
    for dir in "$A" ${B:+"$B"}; do
      n=$((n + 1))
      db="ab_$$_$n"
      createdb "$db"
      set -- $(idle)
      i0=$1 t0=$2
      out=$(timeout 150 "$dir/guichet-load" --clients 64 --skip-push $load \
        --replicas "$replicas" --server-bin "$dir/guichet-server" \
        --db "postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$db" 2>&1)
      set -- $(idle)
      rate=$(echo "$out" | sed -n 's/^throughput: \([0-9]*\) orders\/s/\1/p')
      lat=$(echo "$out" | sed -n 's/^latency: //p')
      over=$(echo "$out" | sed -n 's/^oversold seats: //p')
      cpu=$(echo "$out" | sed -n 's/^cpu: server [^(]*(\([^)]*\)).*/\1/p')
      echo "round $round, $replicas replica(s), $dir: $rate orders/s, $lat, oversold $over, idle $(( ($1 - i0) * 100 / ($2 - t0) )) %, replicas' CPU $cpu"
    done
  done
done
