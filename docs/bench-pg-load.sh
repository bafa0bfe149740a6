#!/bin/sh
# The PostgreSQL-beside-SQLite load runs of BENCHMARKS.md (sessions 9 and 10), with pgbench's
# ceiling after them on the same cluster. Run inside
#   pg_virtualenv -t -o fsync=on -o max_connections=400 sh docs/bench-pg-load.sh target/release
# with release guichet-server and guichet-load built (cargo build --release -p guichet-server).
R=$1
echo "fsync: $(psql -Atc 'show fsync') synchronous_commit: $(psql -Atc 'show synchronous_commit')"
run() { # label, args...
  label=$1; shift
  echo "=== $label (load $(cut -d' ' -f1 /proc/loadavg))"
  timeout 150 nice -n 0 $R/guichet-load --clients 64 --skip-push --server-bin $R/guichet-server "$@" 2>&1 | tail -12
}
# Databases named after this run (the script may run twice in one cluster).
url() { createdb "$1_$$"; echo "postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$1_$$"; }
d=$(mktemp -d)
run "SQLite spread" --seconds 10 --db $d/s1.sqlite
run "PG 1 replica spread" --seconds 10 --db $(url b1)
run "PG 3 replicas spread" --seconds 10 --replicas 3 --db $(url b2)
run "SQLite hot" --seconds 6 --hot RU707 --db $d/s2.sqlite
run "PG 1 replica hot" --seconds 6 --hot RU707 --db $(url b3)
run "PG 3 replicas hot" --seconds 6 --hot RU707 --replicas 3 --db $(url b4)
# PostgreSQL's own ceiling, the same cluster right after: a one-statement guarded update,
# hot (1 row) and spread (64 rows), 10^9 seats a row, 64 clients as the load runs.
createdb pgb_$$
printf '%s\n' '\set id random(1, :rows)' \
  'UPDATE seats SET seats_left = seats_left - 1 WHERE id = :id AND seats_left >= 1;' > $d/guarded.sql
for rows in 1 64; do
  psql -q -d pgb_$$ -c "DROP TABLE IF EXISTS seats" \
    -c "CREATE TABLE seats(id int PRIMARY KEY, seats_left bigint NOT NULL)" \
    -c "INSERT INTO seats SELECT g, 1000000000 FROM generate_series(1, $rows) g"
  echo "=== pgbench guarded update, $rows row(s) (load $(cut -d' ' -f1 /proc/loadavg))"
  pgbench -n -M prepared -c 64 -j 2 -T 10 -f $d/guarded.sql -D rows=$rows pgb_$$ 2>&1 |
    grep -E 'latency average|tps'
done
rm -rf $d
