#!/usr/bin/env bash
# Installs what the local scripts, the tests and the benchmarks need on Debian 12:
# OpenSSH server and client, PostgreSQL 15, procps (ps/pgrep), GNU time (/usr/bin/time -v), and docker-compose
# (v1, to validate docker-compose.yml with `docker-compose config`; no Docker engine is needed for that), and chromium
# (headless, to load the node's status page in a real browser), and gnupg, zip and gzip (the test fixtures make
# encrypted and compressed exports with them).
# Idempotent and quiet when everything is already there; runs `apt-get update` at most once.
set -euo pipefail

# Test fixtures of several test projects may call this at once: one apt-get at a time, and each caller checks
# again once it holds the lock (the one before it may have installed everything).
if ((EUID == 0)); then
  exec 9>/run/lock/rsx-install-prereqs.lock
  flock 9
fi

# Debian package -> a file that proves it is installed (dpkg alone misses half-removed packages); `a|b`: either
# (gzip is in /bin on systems without a merged /usr).
declare -A wanted=(
  [openssh-server]=/usr/sbin/sshd
  [openssh-client]=/usr/bin/ssh
  [postgresql]=/usr/lib/postgresql/15/bin/initdb
  [procps]=/usr/bin/pgrep
  [time]=/usr/bin/time
  [docker-compose]=/usr/bin/docker-compose
  [chromium]=/usr/bin/chromium
  [gnupg]=/usr/bin/gpg
  [zip]=/usr/bin/zip
  [gzip]='/bin/gzip|/usr/bin/gzip'
)

# Whether one of the files that prove $1 is installed is there.
installed() {
  local file
  local -a files
  IFS='|' read -ra files <<<"${wanted[$1]}"
  for file in "${files[@]}"; do
    [[ -x $file ]] && return 0
  done
  return 1
}

missing=()
for pkg in openssh-server openssh-client postgresql procps time docker-compose chromium gnupg zip gzip; do
  if ! installed "$pkg"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  if ((EUID != 0)); then
    echo "install-prereqs: missing packages: ${missing[*]}; run this script as root to install them" >&2
    exit 1
  fi
  echo "install-prereqs: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for pkg in "${missing[@]}"; do
    if ! installed "$pkg"; then
      echo "install-prereqs: $pkg installed but ${wanted[$pkg]} is still missing" >&2
      exit 1
    fi
  done
fi

# The .NET SDK is not an apt package here; it must already be on PATH.
if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-prereqs: 'dotnet' is not on PATH; install the .NET 10 SDK (see global.json) and add it to PATH" >&2
  exit 1
fi
