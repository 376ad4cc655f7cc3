#!/usr/bin/env bash
# The contract test: starts the built server on a new data directory, creates a project for an
# API key, and runs schemathesis (PyPI) with openapi.json against it: no 5xx, every status and
# every response body, header and content type as the document says. Bounded by
# SCHEMATHESIS_EXAMPLES cases per operation (default 50), a few minutes in all.
#
# Usage: Tests/contract/schemathesis.sh [path of the sendpromptly binary]
# Needs: pip install schemathesis; a built binary (default: swift build's debug one).
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-$(swift build --show-bin-path)/sendpromptly}
examples=${SCHEMATHESIS_EXAMPLES:-50}
data=$(mktemp -d)
output="$data/server.out"
admin_token="spa_contract-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
server=

finish() {
  if [[ -n "$server" ]] && kill -0 "$server" 2> /dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
  rm -rf "$data"
}
trap finish EXIT

"$binary" serve --port 0 --data-dir "$data/data" --admin-token "$admin_token" --durability none > "$output" 2> "$data/server.err" &
server=$!
for _ in $(seq 600); do
  grep -q 'sendpromptly ready' "$output" && break
  kill -0 "$server" 2> /dev/null || { cat "$data/server.err" >&2; exit 1; }
  sleep 0.1
done
grep -q 'sendpromptly ready' "$output" || { echo "the server did not get ready" >&2; exit 1; }
base=$(sed -n 's/^sendpromptly listening on \(http:[^ ]*\)$/\1/p' "$output")

created=$(curl -sf -X POST "$base/admin/v1/projects" -H "Authorization: Bearer $admin_token" \
  -H 'Accept: application/json' -H 'Content-Type: application/json' \
  -d '{"name": "Contract", "repair_url": "http://127.0.0.1:9/repair"}')
api_key=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["api_key"])' <<< "$created")

contract() {
  SENDPROMPTLY_CONTRACT_API_KEY=$api_key SENDPROMPTLY_CONTRACT_ADMIN_TOKEN=$admin_token \
    schemathesis --config-file Tests/contract/schemathesis.toml run openapi.json --url "$base" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing,stateful --max-examples "$examples" --seed 8 --generation-database none \
    --workers 1 --no-color ${SCHEMATHESIS_OPTIONS:-} "$@"
}
# The project's routes first, then the operator's: among those, key revocation may find the
# key the first pass uses.
contract --exclude-path-regex '^/admin/'
contract --include-path-regex '^/admin/'

# The server survived everything and still exits cleanly.
kill -TERM "$server"
wait "$server"
server=
