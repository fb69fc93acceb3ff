#!/usr/bin/env bash
# Installs the Debian packages that build/dovecot/dovecot.sh needs to run a
# private Dovecot POP3 server for the integration tests. Idempotent: it does
# nothing when everything is already there. Must run as root (or via sudo).
#
# The system's own Dovecot service is never left running or enabled: the
# tests start private instances with their own config, and a system instance
# would only hold ports and /run/dovecot.
set -euo pipefail

packages=(dovecot-core dovecot-pop3d openssl)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "install.sh: need root to install: ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive

# policy-rc.d answering 101 stops the packages' maintainer scripts from
# starting the system service (honoured by invoke-rc.d and deb-systemd-invoke).
# Leave an existing one alone: the administrator put it there for a reason.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $policy ]]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	own_policy=1
fi
cleanup() {
	if [[ $own_policy -eq 1 ]]; then
		rm -f "$policy"
	fi
}
trap cleanup EXIT

apt_install() {
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# The package lists may be absent (fresh image) or stale; refresh them only
# when the first attempt cannot find the packages.
if ! apt_install 2>/dev/null; then
	apt-get update -q >/dev/null
	apt_install
fi

# Belt and braces in case a policy-rc.d of someone else's let it start.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
	systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
else
	if [[ -s /run/dovecot/master.pid ]]; then
		service dovecot stop >/dev/null 2>&1 || true
	fi
	update-rc.d dovecot disable >/dev/null 2>&1 || true
fi
