#!/usr/bin/env bash
# Runs a private, throw-away Dovecot POP3 server for the integration tests.
#
#   dovecot.sh start DIR   generate config, certificates and users in DIR,
#                          start Dovecot, wait until it accepts connections
#   dovecot.sh stop DIR    stop the instance started in DIR and wait for it
#
# Everything lives in DIR: the system's /etc/dovecot is never read, so several
# instances (one per DIR) can run side by side with the system's own. Install
# the packages first with build/dovecot/install.sh.
#
# What start leaves in DIR:
#   env          shell-sourceable DOVECOT_HOST, DOVECOT_PORT (clear text, STLS),
#                DOVECOT_TLS_PORT (implicit TLS), DOVECOT_IPV6 (1 when the
#                listeners are also on ::1), DOVECOT_CA, DOVECOT_MAILDIR_ROOT,
#                DOVECOT_VERSION, DOVECOT_MAIL_UID and DOVECOT_MAIL_GID (the
#                owner Dovecot accesses mail as; when root runs this script it
#                is the "dovecot" user, as Dovecot refuses uid 0 for mail, and
#                whatever root creates under mail/ must be chowned to it)
#   ca.pem       the self-signed CA that signed the server certificate
#                (server.pem: CN and DNS SAN localhost, IP SANs 127.0.0.1, ::1)
#   users/NAME   one passwd-file per user, holding the single line
#                "NAME:{PLAIN}password". To add a user, create the file (write
#                a temporary name in users/ and rename it, so Dovecot never
#                reads half a line); the user can log in at once. One file per
#                user because Dovecot rereads a changed passwd-file at most
#                once a second, so a line appended to a shared file can stay
#                unseen for up to a second. Name and password must not contain
#                ':', '/' or a newline. Passwords are kept in clear text
#                because APOP and CRAM-MD5 need the secret on the server side.
#                Preset users: user1..user30 with password pass-user1 etc.
#   mail/NAME/   each user's Maildir (tmp/ new/ cur/); create it for a new user
#                before the user's first login
#   log          Dovecot's log
#
# A file DIR/extra.conf present before start is included at the end of the
# generated config, so a test can add mechanisms, passdbs or TLS settings
# (a later setting overrides an earlier one).
set -euo pipefail

usage() {
	echo "usage: $0 start|stop DIR" >&2
	exit 2
}

[[ $# -eq 2 ]] || usage
cmd=$1
[[ -n $2 ]] || usage
mkdir -p "$2"
dir=$(cd "$2" && pwd -P)

die() {
	echo "dovecot.sh: $*" >&2
	exit 1
}

# Dovecot runs its login and auth processes under unprivileged accounts; the
# Debian package creates "dovecot" and "dovenull". When not root, everything
# has to run as the calling user instead.
setup_identity() {
	if [[ $(id -u) -eq 0 ]]; then
		internal_user=dovecot
		internal_group=dovecot
		login_user=dovenull
		getent passwd "$internal_user" >/dev/null || die "no user $internal_user: run build/dovecot/install.sh"
		getent passwd "$login_user" >/dev/null || die "no user $login_user: run build/dovecot/install.sh"
	else
		internal_user=$(id -un)
		# The master chowns its service sockets (stats-writer, dict) to this
		# group; a user who is not root can only give them a group of its own.
		internal_group=$(id -gn)
		login_user=$internal_user
	fi
	# Mail is accessed as the caller so that tests (same user) can write and
	# read the Maildirs directly. Dovecot refuses uid 0 for mail access
	# ("userdb returned 0 as uid"), so root hands the mail to the internal
	# user instead, and tests running as root chown what they create.
	mail_user=$(id -un)
	if [[ $(id -u) -eq 0 ]]; then
		mail_user=$internal_user
	fi
	mail_uid=$(id -u "$mail_user")
	mail_gid=$(id -g "$mail_user")
}

find_dovecot() {
	dovecot_bin=$(PATH="$PATH:/usr/sbin:/sbin" command -v dovecot) ||
		die "dovecot not found: run build/dovecot/install.sh (as root)"
	command -v openssl >/dev/null || die "openssl not found: run build/dovecot/install.sh (as root)"
}

ipv6_loopback() {
	# ::1 is listed as 00000000000000000000000000000001 when configured.
	[[ -r /proc/net/if_inet6 ]] && grep -q '^0\{31\}1 ' /proc/net/if_inet6
}

# Ports already bound by anyone on this host, from the kernel's tables, so a
# random pick rarely collides; a collision that slips through (a parallel
# start) makes Dovecot's bind fail, and start retries with other ports.
used_ports() {
	local f h
	for f in /proc/net/tcp /proc/net/tcp6; do
		[[ -r $f ]] || continue
		# Column 2 is ADDR:PORT in hex; mawk has no strtonum, so bash converts.
		awk 'NR > 1 { n = split($2, a, ":"); print a[n] }' "$f" | while read -r h; do
			echo $((16#$h))
		done
	done | sort -u
}

pick_port() {
	local used=$1 p
	while :; do
		p=$((20000 + ${SRANDOM:-$RANDOM$RANDOM} % 40000))
		if ! grep -qx "$p" <<<"$used" && [[ $p -ne ${2:-0} ]]; then
			echo "$p"
			return
		fi
	done
}

gen_certs() {
	[[ -s $dir/server.pem && -s $dir/ca.pem ]] && return
	local cnf=$dir/tls/openssl.cnf
	mkdir -p "$dir/tls"
	cat >"$cnf" <<-'EOF'
		[req]
		distinguished_name = dn
		[dn]
		[ca_ext]
		basicConstraints = critical, CA:TRUE
		keyUsage = critical, keyCertSign, cRLSign
		subjectKeyIdentifier = hash
		[server_ext]
		basicConstraints = critical, CA:FALSE
		keyUsage = critical, digitalSignature, keyEncipherment
		extendedKeyUsage = serverAuth
		subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
	EOF
	# EC keys: generating them is instant, unlike RSA.
	local key=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	openssl req -config "$cnf" -x509 -new "${key[@]}" -keyout "$dir/tls/ca.key" \
		-out "$dir/ca.pem" -days 3650 -subj "/CN=nxpop3 test CA" -extensions ca_ext 2>"$dir/tls/err" ||
		die "openssl: $(cat "$dir/tls/err")"
	openssl req -config "$cnf" -new "${key[@]}" -keyout "$dir/server.key" \
		-out "$dir/tls/server.csr" -subj "/CN=localhost" 2>"$dir/tls/err" ||
		die "openssl: $(cat "$dir/tls/err")"
	openssl x509 -req -in "$dir/tls/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/tls/ca.key" \
		-CAcreateserial -out "$dir/server.pem" -days 3650 \
		-extfile "$cnf" -extensions server_ext 2>"$dir/tls/err" ||
		die "openssl: $(cat "$dir/tls/err")"
	chmod 600 "$dir/server.key" "$dir/tls/ca.key"
}

gen_users() {
	[[ -d $dir/users ]] && return
	mkdir -p "$dir/users"
	local i
	for i in $(seq 1 30); do
		printf 'user%d:{PLAIN}pass-user%d\n' "$i" "$i" >"$dir/users/user$i"
		mkdir -p "$dir/mail/user$i/"{tmp,new,cur}
	done
	# Dovecot's auth process does not run as the user who adds the files.
	chmod 755 "$dir/users"
	chmod 644 "$dir/users"/*
}

write_config() {
	local port=$1 tls_port=$2 listen=$3
	cat >"$dir/dovecot.conf" <<-EOF
		# Generated by dovecot.sh: a private POP3 server for tests.
		instance_name = nxpop3-test-$port
		base_dir = $dir/run
		state_dir = $dir/state
		log_path = $dir/log
		info_log_path = $dir/log
		protocols = pop3
		# Processes would talk to the stats service only to wait for it at
		# shutdown (5 s handshake timeouts); tests need no statistics.
		stats_writer_socket_path =
		listen = $listen
		default_internal_user = $internal_user
		default_internal_group = $internal_group
		default_login_user = $login_user
		first_valid_uid = $mail_uid
		first_valid_gid = $mail_gid

		# Tests log in over clear text on purpose (USER/PASS, APOP, AUTH PLAIN
		# before STLS), and must not wait for failed-login penalties.
		disable_plaintext_auth = no
		auth_mechanisms = plain login cram-md5 apop
		auth_failure_delay = 0
		auth_verbose = yes
		passdb {
		  driver = passwd-file
		  args = scheme=PLAIN username_format=%u $dir/users/%u
		  # With auth_failure_delay = 0, Dovecot 2.3.19 still answers a failed
		  # login only at its next 500 ms failure-queue tick. nodelay skips the
		  # queue where the passdb's fields apply: failed APOP and CRAM-MD5
		  # (credential lookups). A wrong USER/PASS, AUTH PLAIN or LOGIN
		  # password drops the fields and still waits up to 0.5 s.
		  override_fields = nodelay=yes
		}
		userdb {
		  driver = static
		  args = uid=$mail_uid gid=$mail_gid home=$dir/mail/%u allow_all_users=yes
		}

		ssl = yes
		ssl_cert = <$dir/server.pem
		ssl_key = <$dir/server.key

		mail_location = maildir:$dir/mail/%u
		pop3_uidl_format = %08Xu%08Xv
		pop3_client_workarounds =
		# LIST must report the size RETR sends (LF counted as CRLF), never
		# the stored file's size.
		pop3_fast_size_lookups = no
		# Many parallel sessions from 127.0.0.1 for the same user.
		mail_max_userip_connections = 1000

		service pop3-login {
		  # chroot needs root; these tests gain nothing from it, and
		  # running as an ordinary user must work too.
		  chroot =
		  inet_listener pop3 {
		    port = $port
		  }
		  inet_listener pop3s {
		    port = $tls_port
		    ssl = yes
		  }
		  process_limit = 200
		  client_limit = 1000
		}
		service pop3 {
		  process_limit = 1000
		}
		service auth {
		  client_limit = 2000
		}
		service anvil {
		  chroot =
		  client_limit = 2000
		  # Without this socket the auth process applies no per-IP penalty
		  # (seconds of delay growing with each failed login): the tests
		  # fail logins on purpose, all from 127.0.0.1.
		  unix_listener anvil-auth-penalty {
		    mode = 0
		  }
		}
	EOF
	if [[ -f $dir/extra.conf ]]; then
		echo "!include $dir/extra.conf" >>"$dir/dovecot.conf"
	fi
}

master_pid() {
	local f=$dir/run/master.pid
	[[ -s $f ]] || return 1
	local pid
	pid=$(<"$f")
	kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

port_open() {
	# Bash's /dev/tcp avoids needing nc; a subshell keeps the fd local.
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

wait_ready() {
	local port=$1 tls_port=$2 ipv6=$3 i
	for ((i = 0; i < 100; i++)); do
		# The daemonized master writes its pid file a moment after the
		# foreground dovecot has returned: only a stale pid file means death.
		if [[ -s $dir/run/master.pid ]] && ! master_pid >/dev/null; then
			return 1
		fi
		if port_open 127.0.0.1 "$port" && port_open 127.0.0.1 "$tls_port" &&
			{ [[ $ipv6 -eq 0 ]] || port_open ::1 "$port"; }; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# A dead process can stay a zombie for a while when its parent (PID 1 in a
# container) is slow to reap it; it no longer holds ports or files.
alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $state && $state != Z ]]
}

# From /proc rather than ps: procps is not in a minimal Debian.
children_of() {
	local f stat state ppid
	for f in /proc/[0-9]*/stat; do
		{ stat=$(<"$f"); } 2>/dev/null || continue
		# The command name in parentheses may hold spaces; skip past it.
		read -r state ppid _ <<<"${stat##*) }"
		if [[ $ppid == "$1" && $state != Z ]]; then
			f=${f#/proc/}
			echo "${f%/stat}"
		fi
	done
}

do_stop() {
	local pid i p children still
	pid=$(master_pid) || return 0
	# Children outlive the master briefly; wait for them too, so that the
	# instance's ports and files are really released when stop returns.
	children=$(children_of "$pid")
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		alive "$pid" || break
		sleep 0.1
	done
	if alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
		echo "dovecot.sh: master $pid in $dir did not stop within 10 s; killed" >&2
	fi
	# Orphaned children of this instance have nothing left to serve.
	for ((i = 0; i < 20; i++)); do
		still=()
		for p in $children; do
			alive "$p" && still+=("$p")
		done
		[[ ${#still[@]} -eq 0 ]] && return 0
		[[ $i -eq 10 ]] && kill -KILL "${still[@]}" 2>/dev/null
		sleep 0.1
	done
}

do_start() {
	find_dovecot
	setup_identity
	if master_pid >/dev/null; then
		die "already running in $dir (pid $(master_pid)); stop it first"
	fi
	# Dovecot's auth process (not root) must reach the passwd-file and the
	# certificates' directory; a fresh mktemp dir is 0700.
	chmod 755 "$dir"
	gen_certs
	gen_users
	mkdir -p "$dir/run" "$dir/state" "$dir/mail"
	chown -R "$mail_uid:$mail_gid" "$dir/mail"

	local ipv6=0 listen=127.0.0.1
	if ipv6_loopback; then
		ipv6=1
		listen="127.0.0.1, ::1"
	fi

	local attempt port tls_port used
	for attempt in 1 2 3 4 5; do
		used=$(used_ports)
		port=$(pick_port "$used")
		tls_port=$(pick_port "$used" "$port")
		write_config "$port" "$tls_port" "$listen"
		: >"$dir/log"
		if "$dovecot_bin" -c "$dir/dovecot.conf" 2>>"$dir/log" &&
			wait_ready "$port" "$tls_port" "$ipv6"; then
			break
		fi
		do_stop
		if grep -q 'Address already in use' "$dir/log" && [[ $attempt -lt 5 ]]; then
			continue
		fi
		echo "dovecot.sh: dovecot did not start in $dir; log tail:" >&2
		tail -n 20 "$dir/log" >&2
		exit 1
	done

	local version
	version=$("$dovecot_bin" --version | awk '{print $1}')
	cat >"$dir/env" <<-EOF
		DOVECOT_HOST=127.0.0.1
		DOVECOT_PORT=$port
		DOVECOT_TLS_PORT=$tls_port
		DOVECOT_IPV6=$ipv6
		DOVECOT_CA=$dir/ca.pem
		DOVECOT_MAILDIR_ROOT=$dir/mail
		DOVECOT_VERSION=$version
		DOVECOT_MAIL_UID=$mail_uid
		DOVECOT_MAIL_GID=$mail_gid
	EOF
	echo "dovecot $version running in $dir: pop3 port $port, pop3s port $tls_port, ipv6 $ipv6"
}

case $cmd in
start) do_start ;;
stop) do_stop ;;
*) usage ;;
esac
