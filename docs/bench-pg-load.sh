#!/bin/sh
# The PostgreSQL-beside-SQLite load runs of BENCHMARKS.md (session 9, runs 3 and 4). Run inside
#   pg_virtualenv -t -o fsync=on -o max_connections=400 sh docs/bench-pg-load.sh target/release
# with release guichet-server and guichet-load built (cargo build --release -p guichet-server).
R=$1
echo "fsync: $(psql -Atc 'show fsync') synchronous_commit: $(psql -Atc 'show synchronous_commit')"
run() { # label, args...
  label=$1; shift
  echo "=== $label (load $(cut -d' ' -f1 /proc/loadavg))"
  timeout 150 nice -n 0 $R/guichet-load --clients 64 --skip-push --server-bin $R/guichet-server "$@" 2>&1 | tail -12
}
url() { createdb "$1"; echo "postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$1"; }
d=$(mktemp -d)
run "SQLite spread" --seconds 10 --db $d/s1.sqlite
run "PG 1 replica spread" --seconds 10 --db $(url b1)
run "PG 3 replicas spread" --seconds 10 --replicas 3 --db $(url b2)
run "SQLite hot" --seconds 6 --hot RU707 --db $d/s2.sqlite
run "PG 1 replica hot" --seconds 6 --hot RU707 --db $(url b3)
run "PG 3 replicas hot" --seconds 6 --hot RU707 --replicas 3 --db $(url b4)
rm -rf $d
