#!/usr/bin/env bash
# The tap end to end on this machine: a throwaway sshd on 127.0.0.1 holding generated Responsys exports
# (contact list, sent/opened/clicked/bounced feeds, each with its .ready file), discovery, a sync of every
# stream, a summary, and a second sync from the saved state that emits nothing new.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)

bash deploy/local/install-prereqs.sh

out=$repo/.local/demo
mkdir -p "$out"
echo "== building"
dotnet build -c Release -v quiet -nologo src/ResponsysCluster.Node -o "$out/node" >/dev/null
dotnet build -c Release -v quiet -nologo bench/ResponsysCluster.Bench -o "$out/bench" >/dev/null
tap() { dotnet "$out/node/responsys-cluster.dll" tap "$@"; }

server=$(mktemp -d -t rsx-demo.XXXXXX)
trap 'bash "$repo/deploy/local/sftp-server.sh" stop "$server/sftp" >/dev/null 2>&1 || true' EXIT
env_file=$(bash deploy/local/sftp-server.sh start "$server/sftp" | tail -n 1)
# shellcheck disable=SC1090
source "$env_file"

exports=$RSX_SFTP_DATA_DIR/responsys
echo "== generating sample exports in $exports"
dotnet "$out/bench/responsys-bench.dll" generate sample "$exports"
ls -l "$exports"

cat >"$out/config.json" <<JSON
{
  "host": "$RSX_SFTP_HOST",
  "port": "$RSX_SFTP_PORT",
  "username": "$RSX_SFTP_USER",
  "path": "$exports",
  "private_key_file": "$RSX_SFTP_KEYS_DIR/ed25519",
  "host_key_fingerprint": "$RSX_SFTP_HOST_KEY_FINGERPRINT",
  "start_date": "2000-01-01T00:00:00Z"
}
JSON

echo "== discover"
tap --config "$out/config.json" --discover >"$out/catalog.json"
python3 - "$out/catalog.json" <<'PY'
import json, sys
path = sys.argv[1]
catalog = json.load(open(path))
for stream in catalog["streams"]:
    for entry in stream["metadata"]:
        if entry["breadcrumb"] == []:
            entry["metadata"]["selected"] = True
    props = stream["schema"]["properties"]
    print(f'  {stream["tap_stream_id"]}: ' + ", ".join(
        f'{name}:{(p.get("type") if "type" in p else "date-time")}' for name, p in props.items() if not name.startswith("_sdc")))
json.dump(catalog, open(path, "w"), indent=2)
PY

echo "== sync"
tap --config "$out/config.json" --catalog "$out/catalog.json" >"$out/messages.jsonl"
python3 - "$out/messages.jsonl" "$out/state.json" <<'PY'
import json, sys, collections
counts, samples, state = collections.Counter(), {}, None
for line in open(sys.argv[1]):
    message = json.loads(line)
    if message["type"] == "RECORD":
        counts[message["stream"]] += 1
        samples.setdefault(message["stream"], message["record"])
    elif message["type"] == "STATE":
        state = message["value"]
for stream, count in sorted(counts.items()):
    print(f"  {stream}: {count} records; first: {json.dumps(samples[stream])[:220]}")
json.dump(state, open(sys.argv[2], "w"), indent=2)
print("  state:", json.dumps(state)[:400])
PY

echo "== second sync from the saved state (nothing new to emit)"
tap --config "$out/config.json" --catalog "$out/catalog.json" --state "$out/state.json" | grep -c '"type":"RECORD"' || true
echo "== done: catalog, messages and state are in $out"
