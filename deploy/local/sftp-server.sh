#!/usr/bin/env bash
# A throwaway OpenSSH sshd on 127.0.0.1 for tests, benchmarks and local runs.
#
#   sftp-server.sh start DIR [PORT]   start (PORT: a free one is picked when omitted);
#                                     prints the path of DIR/sftp.env as the last line
#   sftp-server.sh stop DIR           stop the sshd whose PID is in DIR/sshd.pid (DIR is kept)
#
# RSX_SFTP_CIPHERS, when set at start, is the sshd's Ciphers list (comma-separated): the benchmarks use it to
# make every client negotiate the one cipher they compare. Unset, sshd offers OpenSSH's defaults.
# With RSX_SFTP_LOG_LEVEL set (an sshd LogLevel such as DEBUG1), the SFTP subsystem is OpenSSH's sftp-server
# program (the same server code as internal-sftp) logging at that level to DIR/sftp-server.log: at DEBUG1 every
# read request with its offset and length, and each file's bytes read when it is closed. internal-sftp itself
# logs only to syslog, which these machines do not run.
# RSX_SFTP_ROLE=bastion makes it a jump host instead (bastion.sh does so): TCP forwarding allowed, and LogLevel
# DEBUG1, at which sshd.log shows each forwarded connection ("server_request_direct_tcpip: originator …, target …").
#
# Layout of DIR:
#   sshd_config sshd.pid sshd.log authorized_keys sftp.env
#   host/ssh_host_ed25519_key(.pub) host/fingerprint   the only host key, and its SHA256:... fingerprint
#   keys/rsa_pem keys/rsa_openssh keys/ed25519 keys/ecdsa             authorized client keys
#   keys/rsa_passphrase keys/ed25519_passphrase keys/passphrase       authorized, passphrase-protected
#   keys/unauthorized                                                  a valid key that is NOT authorized
#   data/   where tests write exports; the remote SFTP path equals the local absolute path (no chroot)
#
# The login user is the system user rsxsftp; its password is generated once and kept in
# /etc/rsx-test-sftp.password (root, 0600), shared by every instance on the machine.
# Keys are generated only when missing, so restarting on the same DIR keeps fingerprints and keys.
set -euo pipefail

readonly SFTP_USER=rsxsftp
readonly PASSWORD_FILE=/etc/rsx-test-sftp.password
readonly LOCK_FILE=/run/lock/rsx-test-sftp.lock
readonly SSHD=/usr/sbin/sshd
readonly LOG_LEVEL=${RSX_SFTP_LOG_LEVEL:-}
readonly ROLE=${RSX_SFTP_ROLE:-sftp}

die() { echo "sftp-server: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR [PORT] | stop DIR"; }

# shellcheck source=deploy/local/server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"

# Creates the user and its shared password once; serialised because parallel test runs may start several servers.
ensure_user() {
  exec 9>"$LOCK_FILE"
  flock 9
  local created=0
  if ! id -u "$SFTP_USER" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$SFTP_USER"
    created=1
  fi
  if [[ ! -s $PASSWORD_FILE ]]; then
    (umask 077 && random_secret 24 >"$PASSWORD_FILE")
    created=1
  fi
  chown root:root "$PASSWORD_FILE"
  chmod 600 "$PASSWORD_FILE"
  if ((created)); then
    # Also unlocks the account: without PAM, sshd refuses every login to a locked (!) account.
    printf '%s:%s\n' "$SFTP_USER" "$(cat "$PASSWORD_FILE")" | chpasswd
  fi
  flock -u 9
  exec 9>&-
}

# Generates a key pair unless it exists: new_key NAME PASSPHRASE ssh-keygen-args...
new_key() {
  local file=$1 passphrase=$2
  shift 2
  [[ -f $file ]] || ssh-keygen -q "$@" -N "$passphrase" -C "rsx-test-$(basename "$file")" -f "$file" </dev/null
}

ensure_keys() {
  local dir=$1
  mkdir -p "$dir/host" "$dir/keys"
  chmod 755 "$dir/host" "$dir/keys"

  new_key "$dir/host/ssh_host_ed25519_key" '' -t ed25519
  ssh-keygen -lf "$dir/host/ssh_host_ed25519_key.pub" | awk '{print $2}' >"$dir/host/fingerprint"

  local keys=$dir/keys passphrase
  if [[ ! -s $keys/passphrase ]]; then
    random_secret 20 >"$keys/passphrase"   # no trailing newline
  fi
  passphrase=$(cat "$keys/passphrase")

  new_key "$keys/rsa_pem" '' -t rsa -b 2048 -m PEM
  new_key "$keys/rsa_openssh" '' -t rsa -b 2048
  new_key "$keys/ed25519" '' -t ed25519
  new_key "$keys/ecdsa" '' -t ecdsa -b 256
  new_key "$keys/rsa_passphrase" "$passphrase" -t rsa -b 2048
  new_key "$keys/ed25519_passphrase" "$passphrase" -t ed25519
  new_key "$keys/unauthorized" '' -t ed25519

  # Every public key except the unauthorized one; sshd reads this file as $SFTP_USER.
  local pub
  : >"$dir/authorized_keys"
  for pub in "$keys"/*.pub; do
    [[ $pub == "$keys/unauthorized.pub" ]] || cat "$pub" >>"$dir/authorized_keys"
  done
  chmod 644 "$dir/authorized_keys" "$keys"/*.pub
}

# The Subsystem line: internal-sftp, or the logging sftp-server program when RSX_SFTP_LOG_LEVEL is set.
sftp_subsystem() {
  local dir=$1 program candidate
  if [[ -z $LOG_LEVEL ]]; then
    echo internal-sftp
    return 0
  fi
  for candidate in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/libexec/sftp-server; do
    [[ -x $candidate ]] && { program=$candidate; break; }
  done
  [[ -n ${program:-} ]] || die "no sftp-server program found for RSX_SFTP_LOG_LEVEL"
  # The subsystem runs as $SFTP_USER through its shell, so the log file is that user's and the redirection works.
  touch "$dir/sftp-server.log"
  chown "$SFTP_USER" "$dir/sftp-server.log"
  chmod 644 "$dir/sftp-server.log"
  echo "$program -e -l $LOG_LEVEL 2>>$dir/sftp-server.log"
}

write_config() {
  local dir=$1 port=$2
  cat >"$dir/sshd_config" <<EOF
# Throwaway test server; see deploy/local/sftp-server.sh.
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host/ssh_host_ed25519_key
PidFile $dir/sshd.pid
UsePAM no
PasswordAuthentication yes
PubkeyAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
Subsystem sftp $(sftp_subsystem "$dir")
AllowUsers $SFTP_USER
# Tests open many connections at once.
MaxStartups 200
MaxSessions 100
X11Forwarding no
PrintMotd no
EOF
  if [[ $ROLE == bastion ]]; then
    printf '%s\n' 'AllowTcpForwarding yes' 'PermitOpen any' 'LogLevel DEBUG1' >>"$dir/sshd_config"
  else
    echo 'LogLevel VERBOSE' >>"$dir/sshd_config"
  fi
  if [[ -n ${RSX_SFTP_CIPHERS:-} ]]; then
    echo "Ciphers $RSX_SFTP_CIPHERS" >>"$dir/sshd_config"
  fi
  # OpenSSH 9.8+ penalises sources with failed logins; tests fail logins on purpose from 127.0.0.1.
  local probe=$dir/sshd_config.probe
  { cat "$dir/sshd_config"; echo 'PerSourcePenalties no'; } >"$probe"
  if "$SSHD" -t -f "$probe" >/dev/null 2>&1; then
    mv "$probe" "$dir/sshd_config"
  else
    rm -f "$probe"
  fi
  "$SSHD" -t -f "$dir/sshd_config" || die "invalid $dir/sshd_config"
}

# Waits until 127.0.0.1:$1 accepts connections (about 10 s at most).
wait_for_port() {
  local port=$1 i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# True while process $1 exists and is not a zombie (an unreaped zombie has already exited).
is_alive() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

running_sshd_pid() {
  local pid_file=$1/sshd.pid pid
  [[ -s $pid_file ]] || return 1
  pid=$(<"$pid_file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sshd ]] && is_alive "$pid" || return 1
  echo "$pid"
}

start() {
  (($# >= 1 && $# <= 2)) || usage
  ((EUID == 0)) || die "must run as root (it creates a user and starts sshd)"
  # The first thing run on a fresh machine may be the tests: install what is missing (quiet when all is there).
  bash "$(dirname "${BASH_SOURCE[0]}")/install-prereqs.sh"
  local dir=$1 port=${2:-}
  [[ -z $port || $port =~ ^[0-9]+$ ]] || die "PORT must be a number: $port"
  [[ -z $LOG_LEVEL || $LOG_LEVEL =~ ^(QUIET|FATAL|ERROR|INFO|VERBOSE|DEBUG[123]?)$ ]] \
    || die "RSX_SFTP_LOG_LEVEL must be an sshd LogLevel: $LOG_LEVEL"
  [[ $ROLE =~ ^(sftp|bastion)$ ]] || die "RSX_SFTP_ROLE must be sftp or bastion: $ROLE"

  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  chmod 755 "$dir"
  if running_sshd_pid "$dir" >/dev/null; then
    die "an sshd from $dir is already running (pid $(<"$dir/sshd.pid")); stop it first"
  fi

  ensure_user
  allow_traverse "$dir" "$SFTP_USER"
  mkdir -p /run/sshd "$dir/data"
  chmod 755 "$dir/data"
  ensure_keys "$dir"

  # Retry on another port when the picked one is taken between the check and sshd's bind.
  local attempts=1 attempt
  [[ -n $port ]] || attempts=5
  for attempt in $(seq 1 "$attempts"); do
    local try_port=${port:-$(pick_free_port)}
    if [[ -n $port ]] && ! port_is_free "$port"; then
      die "port $port on 127.0.0.1 is already in use"
    fi
    write_config "$dir" "$try_port"
    rm -f "$dir/sshd.pid"
    : >"$dir/sshd.log"
    # sshd binds, then detaches (stdio to /dev/null); it fails here when the bind fails.
    if "$SSHD" -f "$dir/sshd_config" -E "$dir/sshd.log" && wait_for_port "$try_port"; then
      port=$try_port
      break
    fi
    if ((attempt == attempts)); then
      cat "$dir/sshd.log" >&2 || true
      die "sshd did not start on 127.0.0.1:$try_port"
    fi
  done

  # The daemon writes its PID file right after detaching.
  local pid='' i
  for i in $(seq 1 50); do
    pid=$(running_sshd_pid "$dir") && break
    sleep 0.1
  done
  [[ -n $pid ]] || { cat "$dir/sshd.log" >&2; die "sshd wrote no PID file"; }

  cat >"$dir/sftp.env" <<EOF
RSX_SFTP_HOST=127.0.0.1
RSX_SFTP_PORT=$port
RSX_SFTP_USER=$SFTP_USER
RSX_SFTP_PASSWORD_FILE=$PASSWORD_FILE
RSX_SFTP_KEYS_DIR=$dir/keys
RSX_SFTP_DATA_DIR=$dir/data
RSX_SFTP_HOST_KEY_FINGERPRINT=$(<"$dir/host/fingerprint")
RSX_SFTP_PID=$pid
EOF
  echo "$dir/sftp.env"
}

stop() {
  (($# == 1)) || usage
  local dir=$1 pid children i
  if ! pid=$(running_sshd_pid "$dir"); then
    echo "sftp-server: no running sshd for $dir" >&2
    return 0
  fi
  # Per-connection child processes of this server go too, so no test connection outlives it.
  children=$(pgrep -P "$pid" || true)
  kill -TERM "$pid" $children 2>/dev/null || true
  for i in $(seq 1 100); do
    is_alive "$pid" || break
    sleep 0.1
  done
  if is_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  ! is_alive "$pid" || die "sshd $pid did not exit"
  rm -f "$dir/sshd.pid"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) usage ;;
esac
