# Helpers shared by the throwaway-server scripts (sourced; the caller defines die).

# A random printable secret (letters and digits only, so it needs no quoting anywhere).
random_secret() { tr -dc 'A-Za-z0-9' </dev/urandom | head -c "${1:-24}" || true; }

# True when nothing listens on 127.0.0.1:$1 (nor on the wildcard address).
port_is_free() {
  local port=$1
  [[ -z $(ss -Htln "sport = :$port" 2>/dev/null) ]] || return 1
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# A free port below the kernel's ephemeral range (32768+), so outgoing connections cannot take it later.
pick_free_port() {
  local port attempt
  for attempt in $(seq 1 100); do
    port=$(shuf -i 20000-32767 -n 1)
    if port_is_free "$port"; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found on 127.0.0.1"
}

# Lets user $2 traverse every parent of $1 (mktemp -d makes 0700 directories).
allow_traverse() {
  local dir
  dir=$(dirname "$1")
  while [[ $dir != / ]]; do
    if ! runuser -u "$2" -- test -x "$dir" 2>/dev/null; then
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}
