#!/usr/bin/env bash
# A throwaway jump host (bastion) on 127.0.0.1 for tests: an OpenSSH sshd like sftp-server.sh's, with its own host
# key, the same login user and keys, TCP forwarding allowed, and LogLevel DEBUG1 so that DIR/sshd.log shows each
# forwarded connection and its target.
#
#   bastion.sh start DIR [PORT]   start; prints the path of DIR/sftp.env (same keys as sftp-server.sh's) last
#   bastion.sh stop DIR           stop the sshd whose PID is in DIR/sshd.pid, and its sessions
set -euo pipefail
RSX_SFTP_ROLE=bastion exec bash "$(dirname "${BASH_SOURCE[0]}")/sftp-server.sh" "$@"
