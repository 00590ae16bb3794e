#!/usr/bin/env bash
# PgBouncer in transaction pooling mode in front of the local PostgreSQL, on port $1
# (default 6432), as production may run it: every database, the owner, the runtime and
# platform roles, few server connections so that tenants share them. Debian's package.
set -euo pipefail
PORT="${1:-6432}"
DIR=/tmp/nbne-pgbouncer
command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] ||
  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y pgbouncer)
mkdir -p "$DIR"
cat > "$DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${PORT}
unix_socket_dir =
auth_type = trust
auth_file = ${DIR}/users.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 400
ignore_startup_parameters = extra_float_digits,options
logfile = ${DIR}/pgbouncer.log
pidfile = ${DIR}/pgbouncer.pid
INI
printf '"%s" ""\n' postgres "${CI_RUNTIME_ROLE:-nbne_app}" "${CI_PLATFORM_ROLE:-nbne_platform}" > "$DIR/users.txt"
chown -R postgres "$DIR"
if [ -f "$DIR/pgbouncer.pid" ] && kill -0 "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null; then
  kill "$(cat "$DIR/pgbouncer.pid")"; sleep 1
fi
/usr/sbin/pgbouncer -d -u postgres "$DIR/pgbouncer.ini"
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PORT" && exit 0; sleep 0.2; done
echo "PgBouncer did not start; see $DIR/pgbouncer.log" >&2
exit 1
