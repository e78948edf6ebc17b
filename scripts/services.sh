#!/usr/bin/env bash
# Make sure PostgreSQL and Redis are reachable for tests, the demo and local
# development.
#
#   - already reachable      -> say so and do nothing else
#   - installed but stopped  -> start it (only when the host is local)
#   - not installed          -> apt-get install it (root only), then start it
#
# Then wait for both (up to SERVICES_WAIT seconds, default 30) and check that
# the `postgres` role can log in over TCP without a password. Also installs
# pgbench (for `bench webhooks`) and Chromium (for the browser tests) when
# missing.
#
# Environment: PGHOST (127.0.0.1), PGPORT (5432), REDIS_HOST (127.0.0.1),
# REDIS_PORT (6379), SERVICES_WAIT (30).
#
# Idempotent; takes well under a second when both services already run.
set -euo pipefail

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
SERVICES_WAIT="${SERVICES_WAIT:-30}"

PG_LOGIN_NOTE="role postgres OK"
HBA_MARKER="# outreach scripts/services.sh: passwordless local access"

log() { printf 'services: %s\n' "$*"; }
die() {
	printf 'services: ERROR: %s\n' "$*" >&2
	exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

is_local() {
	case "$1" in
	127.0.0.1 | localhost | ::1 | /*) return 0 ;;
	*) return 1 ;;
	esac
}

# tcp_open HOST PORT: succeeds if a TCP connection can be opened.
tcp_open() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

pg_up() {
	if have pg_isready; then
		pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 2 >/dev/null 2>&1
	else
		tcp_open "$PGHOST" "$PGPORT"
	fi
}

redis_up() {
	local reply
	if have redis-cli; then
		reply="$(timeout 3 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null || true)"
		[[ "$reply" == PONG ]]
	else
		# Speak just enough RESP to get a +PONG back.
		# shellcheck disable=SC2016 # expanded by the inner bash
		timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
			printf "PING\r\n" >&3
			IFS= read -r line <&3 || exit 1
			[[ "$line" == "+PONG"* ]]' _ "$REDIS_HOST" "$REDIS_PORT" >/dev/null 2>&1
	fi
}

pg_installed() {
	have pg_ctlcluster && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}

redis_installed() { have redis-server; }

install_packages() {
	if [[ "$(id -u)" -ne 0 ]]; then
		die "$* not installed and not running as root; install them (apt-get install $*) or point PGHOST/PGPORT, REDIS_HOST/REDIS_PORT at running servers"
	fi
	have apt-get || die "$* not installed and apt-get is unavailable; install them manually"
	log "installing $* (apt-get)..."
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Prepend trust rules for local sockets and loopback TCP to a cluster's
# pg_hba.conf (first match wins), once.
pg_trust_local() {
	local version="$1" hba tmp
	hba="/etc/postgresql/$version/main/pg_hba.conf"
	[[ -f "$hba" ]] || return 1
	grep -qF "$HBA_MARKER" "$hba" && return 0
	tmp="$(mktemp)"
	{
		printf '%s\n' "$HBA_MARKER"
		printf 'local   all  all                 trust\n'
		printf 'host    all  all  127.0.0.1/32   trust\n'
		printf 'host    all  all  ::1/128        trust\n\n'
		cat "$hba"
	} >"$tmp"
	cat "$tmp" >"$hba" # keeps the file's owner and mode
	rm -f "$tmp"
	log "PostgreSQL $version: set trust auth for local and 127.0.0.1 in $hba"
}

pg_versions() {
	local d
	for d in /etc/postgresql/*/main; do
		[[ -d "$d" ]] && basename "$(dirname "$d")"
	done
	return 0
}

start_postgres() {
	local versions version
	mapfile -t versions < <(pg_versions)
	if [[ ${#versions[@]} -eq 0 ]]; then
		version="$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | awk -F/ '{print $5}' | sort -V | tail -n1)"
		[[ -n "$version" ]] || die "no PostgreSQL server binaries found under /usr/lib/postgresql"
		log "PostgreSQL $version: no cluster found, creating $version/main on port $PGPORT"
		pg_createcluster --port "$PGPORT" --locale "${PG_LOCALE:-C.UTF-8}" --encoding UTF8 "$version" main >/dev/null
		pg_trust_local "$version"
		versions=("$version")
	fi
	for version in "${versions[@]}"; do
		if pg_ctlcluster "$version" main status >/dev/null 2>&1; then
			continue # running (maybe still starting up); the wait below decides
		fi
		log "PostgreSQL $version/main: starting"
		pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
			log "PostgreSQL $version/main: start failed (see /var/log/postgresql/postgresql-$version-main.log)"
	done
}

start_redis() {
	local dir="${TMPDIR:-/tmp}/outreach-redis-$REDIS_PORT"
	mkdir -p "$dir"
	log "Redis: starting redis-server on 127.0.0.1:$REDIS_PORT (dir $dir)"
	redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
		--save "" --appendonly no --dir "$dir" --logfile "$dir/redis.log" >/dev/null ||
		log "Redis: redis-server failed to start (see $dir/redis.log)"
}

# wait_for CHECK_FUNCTION: poll it every 0.2 s for up to SERVICES_WAIT seconds.
wait_for() {
	local check="$1" i
	for ((i = 0; i < SERVICES_WAIT * 5; i++)); do
		"$check" && return 0
		sleep 0.2
	done
	return 1
}

pg_login() {
	psql -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -w -X -Atqc 'select 1' 2>&1
}

# The role postgres must be able to log in over TCP without a password.
ensure_pg_login() {
	local out version
	if ! have psql; then
		PG_LOGIN_NOTE="psql not found, role postgres login not checked"
		return 0
	fi
	out="$(pg_login)" && return 0
	if is_local "$PGHOST" && [[ "$(id -u)" -eq 0 ]] && pg_installed; then
		for version in $(pg_versions); do
			if pg_trust_local "$version"; then
				pg_ctlcluster --skip-systemctl-redirect "$version" main reload >/dev/null 2>&1 || true
			fi
		done
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			out="$(pg_login)" && return 0
			sleep 0.3
		done
	fi
	die "PostgreSQL on $PGHOST:$PGPORT: role postgres cannot log in without a password: ${out//$'\n'/ } (allow trust for 127.0.0.1 in pg_hba.conf)"
}

main() {
	local pg_ok=0 redis_ok=0 missing=()

	pg_up && pg_ok=1
	redis_up && redis_ok=1

	if [[ $pg_ok -eq 0 ]]; then
		is_local "$PGHOST" || die "PostgreSQL is not reachable on $PGHOST:$PGPORT (not a local host, so not starting it)"
		pg_installed || missing+=(postgresql)
	fi
	if [[ $redis_ok -eq 0 ]]; then
		is_local "$REDIS_HOST" || die "Redis is not reachable on $REDIS_HOST:$REDIS_PORT (not a local host, so not starting it)"
		redis_installed || missing+=(redis-server)
	fi
	if [[ ${#missing[@]} -gt 0 ]]; then
		install_packages "${missing[@]}"
		# The package scripts may have started the services already.
		pg_up && pg_ok=1
		redis_up && redis_ok=1
	fi

	[[ $pg_ok -eq 1 ]] || start_postgres
	[[ $redis_ok -eq 1 ]] || start_redis

	if [[ $pg_ok -eq 0 ]]; then
		wait_for pg_up ||
			die "PostgreSQL did not come up on $PGHOST:$PGPORT within ${SERVICES_WAIT}s (see /var/log/postgresql/)"
	fi
	if [[ $redis_ok -eq 0 ]]; then
		wait_for redis_up ||
			die "Redis did not come up on $REDIS_HOST:$REDIS_PORT within ${SERVICES_WAIT}s (see ${TMPDIR:-/tmp}/outreach-redis-$REDIS_PORT/redis.log)"
	fi
	ensure_pg_login

	if [[ $pg_ok -eq 1 ]]; then
		log "PostgreSQL: already running on $PGHOST:$PGPORT ($PG_LOGIN_NOTE)"
	else
		log "PostgreSQL: started, accepting connections on $PGHOST:$PGPORT ($PG_LOGIN_NOTE)"
	fi
	if [[ $redis_ok -eq 1 ]]; then
		log "Redis: already running on $REDIS_HOST:$REDIS_PORT"
	else
		log "Redis: started, answering PING on $REDIS_HOST:$REDIS_PORT"
	fi
	# `outreach bench webhooks` (and its test) compares with pgbench, which
	# Debian ships with the server package.
	if ! have pgbench && ! compgen -G '/usr/lib/postgresql/*/bin/pgbench' >/dev/null; then
		install_packages postgresql
	fi
	# The web app's browser tests drive Debian's headless Chromium
	# (CHROMIUM overrides the path).
	if [[ -z "${CHROMIUM:-}" ]] && ! have chromium; then
		install_packages chromium
		log "Chromium: installed ($(chromium --version 2>/dev/null || echo '?'))"
	fi
}

main "$@"
