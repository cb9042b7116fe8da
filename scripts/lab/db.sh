# shellcheck shell=bash
# The lab database: a dedicated PostgreSQL 15 cluster (data in pg/, run as the postgres user) in network
# namespace prov-db at 10.231.0.2:5432, like Azure Database for PostgreSQL Flexible Server: TLS required
# (ssl = on, only hostssl lines), scram-sha-256, and only the lab VMs' addresses let in.
# db-blocked lists the VMs the "firewall" refuses: "K reject" (no pg_hba line) or "K drop" (nftables drop).

PGDATA=$LAB_STATE/pg
PGSOCK=$LAB_STATE/pg-run
DB_PASSWORD_FILE=$LAB_STATE/db-password

as_postgres() { (cd / && setpriv --reuid=postgres --regid=postgres --init-groups env -i PATH="$LAB_PATH" LANG=C.UTF-8 "$@"); }

# psql as the superuser over the unix socket (peer auth), SQL on stdin or in the arguments.
db_psql() {
  as_postgres PGHOST="$PGSOCK" PGPORT="$LAB_PG_PORT" PGUSER=postgres PGDATABASE=postgres \
    "$PGBIN/psql" -X -v ON_ERROR_STOP=1 "$@"
}

db_password() {
  if [[ ! -s $DB_PASSWORD_FILE ]]; then
    # URI-special characters on purpose: a tool that does not percent-encode the password breaks here.
    (umask 077 && printf 'Lab@pw:/x#y?z%%%s\n' "$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 10)" >"$DB_PASSWORD_FILE")
  fi
  head -n1 "$DB_PASSWORD_FILE"
}

db_init() {
  [[ -f $PGDATA/PG_VERSION ]] && return 0
  say "creating the Postgres cluster in $PGDATA"
  rm -rf "$PGDATA"
  install -d -m 0700 -o postgres -g postgres "$PGDATA"
  as_postgres "$PGBIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 --no-instructions >"$LAB_STATE/logs/initdb.log" 2>&1 ||
    die "initdb failed; see $LAB_STATE/logs/initdb.log"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=prov-db" \
    -addext "subjectAltName=IP:$LAB_DB_IP" \
    -keyout "$PGDATA/server.key" -out "$PGDATA/server.crt" 2>/dev/null
  chown postgres:postgres "$PGDATA/server.key" "$PGDATA/server.crt"
  chmod 0600 "$PGDATA/server.key"
  echo "include 'prov-lab.conf'" >>"$PGDATA/postgresql.conf"
}

# max_connections: room for a simulated fleet of 200 servers at 1 worker (200 x 5 + 1 = 1001 connections by the
# fleet's budget, bench:fleet-cli), as a team with 200 servers on one database would set it.
db_conf() {
  cat <<EOF
# written by scripts/lab.sh at each start
listen_addresses = '$LAB_DB_IP'
port = $LAB_PG_PORT
unix_socket_directories = '$PGSOCK'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
password_encryption = 'scram-sha-256'
log_connections = on
max_connections = 1100
EOF
}

db_write_conf() {
  db_conf >"$PGDATA/prov-lab.conf"
  chown postgres:postgres "$PGDATA/prov-lab.conf"
}

# A running Postgres whose prov-lab.conf is not what db_conf says now (a lab made before a setting changed):
# written again and restarted (max_connections needs a restart), so `lab up` applies it to an existing lab.
db_conf_changed() { [[ $(db_conf) != "$(cat "$PGDATA/prov-lab.conf" 2>/dev/null)" ]]; }

db_blocked_mode() { awk -v k="$1" '$1 == k {print $2}' "$LAB_STATE/db-blocked" 2>/dev/null; }

db_hba() {
  local k
  echo "# written by scripts/lab.sh: one hostssl line per lab VM that db-block has not removed"
  echo "local   all   postgres   peer"
  for k in $(vm_list); do
    [[ $(db_blocked_mode "$k") == reject ]] && continue
    printf 'hostssl all   all        %s/32   scram-sha-256\n' "$(vm_ip "$k")"
  done
}

# Rewrite pg_hba.conf; if it changed and Postgres runs, reload it and wait until the postmaster has.
db_hba_apply() {
  local new pid before
  new=$(db_hba)
  [[ $new == "$(cat "$PGDATA/pg_hba.conf" 2>/dev/null)" ]] && return 0
  echo "$new" >"$PGDATA/pg_hba.conf.new"
  chown postgres:postgres "$PGDATA/pg_hba.conf.new"
  mv "$PGDATA/pg_hba.conf.new" "$PGDATA/pg_hba.conf"
  pid=$(pid_get pg) || return 0
  before=$(db_reload_count)
  kill -HUP "$pid"
  db_reloaded() { (($(db_reload_count) > before)); }
  wait_for 10 db_reloaded || die "Postgres did not reload its configuration"
}
db_reload_count() { grep -c 'received SIGHUP, reloading configuration files' "$LAB_STATE/logs/postgres.log" || true; }

db_nft() { # the DB namespace's own firewall: a set of dropped VM addresses
  local k elems=()
  [[ -e /run/netns/$LAB_DB_NS ]] || return 0
  for k in $(vm_list); do
    [[ $(db_blocked_mode "$k") == drop ]] && elems+=("$(vm_ip "$k")")
  done
  ip netns exec "$LAB_DB_NS" nft -f - <<EOF
table inet provdb
delete table inet provdb
table inet provdb {
  set blocked { type ipv4_addr; $( ((${#elems[@]})) && echo "elements = { $(IFS=,; echo "${elems[*]}") }") }
  chain input {
    type filter hook input priority 0; policy accept;
    ip saddr @blocked drop
  }
}
EOF
}

db_ready() { "$PGBIN/pg_isready" -q -h "$PGSOCK" -p "$LAB_PG_PORT" -U postgres -d postgres; }

db_start() {
  db_init
  install -d -m 0700 -o postgres -g postgres "$PGSOCK"
  if pid_get pg >/dev/null && db_conf_changed; then
    say "restarting Postgres: its settings changed ($PGDATA/prov-lab.conf)"
    pid_stop pg INT 20 # fast shutdown; started again below
  fi
  if pid_get pg >/dev/null; then
    db_hba_apply
    db_nft
  else
    ns_up "$LAB_DB_NS" provdb "$LAB_DB_IP"
    db_nft
    db_write_conf
    db_hba_apply
    # Only our own Postgres could have left these; it is not running (checked above).
    rm -f "$PGDATA/postmaster.pid" "$PGSOCK"/.s.PGSQL.*
    local pid
    pid=$(launch "$LAB_STATE/logs/postgres.log" nsenter --net="/run/netns/$LAB_DB_NS" \
      setpriv --reuid=postgres --regid=postgres --init-groups \
      env -i PATH="$LAB_PATH" LANG=C.UTF-8 "$PGBIN/postgres" -D "$PGDATA")
    pid_record pg "$pid"
    wait_for 30 db_ready || die "Postgres did not start; see $LAB_STATE/logs/postgres.log"
  fi
  db_converge
}

# The mlflow role and database, with the lab password (sent on stdin, never on a command line).
# Run at every `up`, so a test that changed the password does not leave it changed.
db_converge() {
  local pw
  pw=$(db_password)
  db_psql -q <<EOF
SELECT 'CREATE ROLE mlflow LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mlflow') \gexec
ALTER ROLE mlflow WITH LOGIN PASSWORD '$pw';
EOF
  db_forget_standin_schemas
  db_psql -q <<'EOF'
SELECT 'CREATE DATABASE mlflow OWNER mlflow' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'mlflow') \gexec
EOF
}

# Until issue 11 the lab ran a stand-in MLflow whose schema revisions the real MLflow cannot read ("Can't locate
# revision"). Once per lab state: every database made in that time goes (the tests make their own again).
db_forget_standin_schemas() {
  local mark=$LAB_STATE/db-generation generation=real-mlflow-1 name
  [[ $(cat "$mark" 2>/dev/null) == "$generation" ]] && return 0
  say "dropping the databases of the stand-in MLflow era (once)"
  for name in $(db_psql -Atq -c "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'"); do
    db_psql -q -c "DROP DATABASE \"$name\" WITH (FORCE)"
  done
  echo "$generation" >"$mark"
}

db_stop() {
  pid_stop pg INT 20 # fast shutdown
  ns_down "$LAB_DB_NS" provdb
}

db_block() { # K reject|drop
  local k=$1 mode=$2
  { grep -v "^$k " "$LAB_STATE/db-blocked" 2>/dev/null || true; echo "$k $mode"; } >"$LAB_STATE/db-blocked.new"
  mv "$LAB_STATE/db-blocked.new" "$LAB_STATE/db-blocked"
  db_hba_apply
  db_nft
}

db_allow() {
  local k=$1
  { grep -v "^$k " "$LAB_STATE/db-blocked" 2>/dev/null || true; } >"$LAB_STATE/db-blocked.new"
  mv "$LAB_STATE/db-blocked.new" "$LAB_STATE/db-blocked"
  db_hba_apply
  db_nft
}

db_env() {
  local pw
  pw=$(db_password)
  cat <<EOF
POSTGRES_HOST=$LAB_DB_IP
POSTGRES_PORT=$LAB_PG_PORT
POSTGRES_USER=mlflow
POSTGRES_DB=mlflow
POSTGRES_PASSWORD='$pw'
EOF
}
