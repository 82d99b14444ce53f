#!/usr/bin/env bash
# Installs what `make demo` and `make test` need and is missing: Debian packages and Python
# modules. Idempotent and quiet when everything is present. Daemons that Debian's packages
# would start on install (cyrus master, nginx) are kept from starting: tests start their own.
set -euo pipefail

build_pkgs="liburing-dev libssl-dev libsasl2-dev libsasl2-modules sasl2-bin zlib1g-dev libsqlite3-dev"
test_pkgs="cyrus-imapd cyrus-murder cyrus-clients cyrus-admin nginx-light libnginx-mod-mail python3-pip isync mutt"
py_mods="imapclient pytest"

want="$build_pkgs"
[ "${1:-}" = "test" ] && want="$build_pkgs $test_pkgs"

missing=""
for p in $want; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps: missing Debian packages:$missing — run as root or: sudo apt-get install$missing" >&2
        exit 1
    fi
    echo "deps: installing$missing"
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    trap '[ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ "${1:-}" = "test" ]; then
    for m in $py_mods; do
        if ! python3 -c "import $m" 2>/dev/null; then
            echo "deps: installing Python module $m"
            python3 -m pip install -q --disable-pip-version-check "$m" >/dev/null
        fi
    done
fi
