#!/usr/bin/env bash
# ensure-postgres.sh makes sure a PostgreSQL answers on 127.0.0.1:5432 for the
# tests (HOLDFAST_TEST_DATABASE_URL defaults to
# postgres://postgres@127.0.0.1:5432/test?sslmode=disable). Idempotent:
#
#   1. if the server answers, it does nothing;
#   2. if a Debian cluster exists (pg_lsclusters), it starts it and waits;
#   3. if PostgreSQL is not installed, it installs Debian's package, starts the
#      cluster, trusts local TCP connections and creates the database "test".
#
# Only a cluster this script installs gets its authentication changed; an
# existing cluster is started as it is configured.
#
# Environment: PGHOST_CHECK (default 127.0.0.1), PGPORT_CHECK (default 5432),
# WAIT_SECONDS (default 30).
set -euo pipefail

host="${PGHOST_CHECK:-127.0.0.1}"
port="${PGPORT_CHECK:-5432}"
wait_seconds="${WAIT_SECONDS:-30}"
hba_marker="# added by holdfast scripts/ensure-postgres.sh"

log() { echo "ensure-postgres: $*"; }
die() {
	echo "ensure-postgres: ERROR: $*" >&2
	exit 1
}

# as_root runs a command as root, through sudo when needed.
as_root() {
	if [[ ${EUID} -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@" || die "needs root for: $* (run as root or allow sudo)"
	else
		die "needs root for: $* (run as root or install sudo)"
	fi
}

answers() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -h "${host}" -p "${port}" -t 5
	elif command -v psql >/dev/null 2>&1; then
		PGCONNECT_TIMEOUT=5 psql -w -h "${host}" -p "${port}" -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1
	else
		# No client tools at all: settle for an open port.
		(exec 3<>"/dev/tcp/${host}/${port}") 2>/dev/null
	fi
}

wait_until_answers() {
	local i
	for ((i = 0; i < wait_seconds; i++)); do
		if answers; then
			log "PostgreSQL answers on ${host}:${port}"
			return 0
		fi
		sleep 1
	done
	return 1
}

# cluster prints "version name status" of the Debian cluster on $port, or of
# the first cluster if none uses that port; nothing if there is no cluster.
cluster() {
	command -v pg_lsclusters >/dev/null 2>&1 || return 0
	pg_lsclusters -h 2>/dev/null | awk -v port="${port}" '
		$3 == port { print $1, $2, $4; found = 1; exit }
		NR == 1 { first = $1 " " $2 " " $4 }
		END { if (!found && first != "") print first }'
}

start_cluster() {
	local version="$1" name="$2" status="$3"
	if [[ ${status} == online* ]]; then
		log "cluster ${version}/${name} is already running; waiting for it on ${host}:${port}"
	else
		log "starting cluster ${version}/${name}"
		as_root pg_ctlcluster --skip-systemctl-redirect "${version}" "${name}" start
	fi
}

# trust_local_tcp lets every local TCP connection in without a password, as the
# tests' URL expects. The lines go first because pg_hba.conf's first match wins.
trust_local_tcp() {
	local version="$1" name="$2"
	local hba="/etc/postgresql/${version}/${name}/pg_hba.conf"
	[[ -f ${hba} ]] || die "${hba} not found"
	if grep -qF "${hba_marker}" "${hba}"; then
		log "${hba} already trusts local TCP connections"
		return 0
	fi
	log "trusting local TCP connections in ${hba}"
	local tmp
	tmp="$(mktemp)"
	{
		echo "${hba_marker}"
		echo "host all all 127.0.0.1/32 trust"
		echo "host all all ::1/128 trust"
		cat "${hba}"
	} >"${tmp}"
	# cat into the file keeps its owner and mode.
	as_root sh -c 'cat "$1" > "$2"' sh "${tmp}" "${hba}"
	rm -f "${tmp}"
	as_root pg_ctlcluster --skip-systemctl-redirect "${version}" "${name}" reload
}

ensure_test_database() {
	local exists
	exists="$(PGCONNECT_TIMEOUT=5 psql -w -h "${host}" -p "${port}" -U postgres -d postgres -tAc \
		"SELECT 1 FROM pg_database WHERE datname = 'test'")" || return 1
	if [[ ${exists} == 1 ]]; then
		log "database test exists"
	else
		log "creating database test"
		PGCONNECT_TIMEOUT=5 psql -w -h "${host}" -p "${port}" -U postgres -d postgres -qc 'CREATE DATABASE test' || return 1
	fi
}

install_postgres() {
	command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is missing; install PostgreSQL and start it on ${host}:${port}"
	log "PostgreSQL is not installed; installing Debian's postgresql package"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
}

if answers; then
	log "PostgreSQL answers on ${host}:${port}; nothing to do"
	exit 0
fi

installed_now=false
read -r version name status <<<"$(cluster)" || true
if [[ -z ${version:-} ]]; then
	# A client-only install (psql, pg_isready) has no server to start.
	if ! command -v pg_createcluster >/dev/null 2>&1 || ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
		install_postgres
		installed_now=true
	fi
	read -r version name status <<<"$(cluster)" || true
	if [[ -z ${version:-} ]]; then
		# Installed without a cluster (or the package did not create one).
		version="$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | awk -F/ '{ print $5 }' | sort -V | tail -n 1)"
		[[ -n ${version} ]] || die "no PostgreSQL server found under /usr/lib/postgresql"
		log "creating cluster ${version}/main on port ${port}"
		as_root pg_createcluster --port "${port}" "${version}" main
		installed_now=true
		read -r version name status <<<"$(cluster)" || true
	fi
fi

start_cluster "${version}" "${name}" "${status}"
wait_until_answers || die "PostgreSQL (cluster ${version}/${name}) does not answer on ${host}:${port} after ${wait_seconds}s; see /var/log/postgresql/postgresql-${version}-${name}.log"

if [[ ${installed_now} == true ]]; then
	trust_local_tcp "${version}" "${name}"
	wait_until_answers || die "PostgreSQL stopped answering on ${host}:${port} after the reload"
	# The reload is asynchronous: give the new rules a moment to apply.
	for ((i = 0; ; i++)); do
		ensure_test_database && break
		((i < 10)) || die "could not create database test on ${host}:${port}"
		sleep 1
	done
elif ! ensure_test_database; then
	log "WARNING: could not check or create database test (authentication?); the tests' default URL needs it"
fi
log "ready"
