#!/usr/bin/env bash
# Starts every service of the assistant on this machine (back office, action server, Rasa, worker), prints
# where to talk to it, and stops them all on Ctrl-C. Settings come from the environment or `.env`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV_BIN="$ROOT/.venv/bin"

if [ -f .env ]; then set -a; . ./.env; set +a; fi
mkdir -p var/log

# Development secrets: generated once per checkout (var/ is not committed) unless set in the environment.
if [ ! -f var/dev-secrets.env ]; then
  umask 077
  {
    echo "DEV_OPEN311_KEY=$(openssl rand -hex 16 2>/dev/null || head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "DEV_RASA_TOKEN=$(openssl rand -hex 16 2>/dev/null || head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "DEV_WEBCHAT_SECRET=$(openssl rand -hex 24 2>/dev/null || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "DEV_STAFF_PASSWORD=$(openssl rand -hex 8 2>/dev/null || head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  } > var/dev-secrets.env
fi
. var/dev-secrets.env
if [ -z "${DEV_REST_TOKEN:-}" ]; then  # checkouts from before the REST token existed
  DEV_REST_TOKEN="$(openssl rand -hex 16 2>/dev/null || head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "DEV_REST_TOKEN=$DEV_REST_TOKEN" >> var/dev-secrets.env
fi

export RASA_PORT="${RASA_PORT:-5005}"
export ACTION_PORT="${ACTION_PORT:-5055}"
export BACKOFFICE_PORT="${BACKOFFICE_PORT:-5080}"
export OPEN311_API_KEY="${OPEN311_API_KEY:-$DEV_OPEN311_KEY}"
export BACKOFFICE_API_KEYS="${BACKOFFICE_API_KEYS:-$OPEN311_API_KEY}"
export OPEN311_URL="${OPEN311_URL:-http://127.0.0.1:$BACKOFFICE_PORT/open311/v2/}"
export BACKOFFICE_PUBLIC_URL="${BACKOFFICE_PUBLIC_URL:-http://127.0.0.1:$BACKOFFICE_PORT}"
export BACKOFFICE_ADMIN_USER="${BACKOFFICE_ADMIN_USER:-admin}"
export BACKOFFICE_ADMIN_PASSWORD="${BACKOFFICE_ADMIN_PASSWORD:-$DEV_STAFF_PASSWORD}"
export RASA_TOKEN="${RASA_TOKEN:-$DEV_RASA_TOKEN}"
export REST_TOKEN="${REST_TOKEN:-$DEV_REST_TOKEN}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}"
export PUBLIC_URL="${PUBLIC_URL:-http://127.0.0.1:$RASA_PORT}"
export WEBCHAT_SECRET="${WEBCHAT_SECRET:-$DEV_WEBCHAT_SECRET}"
export ACTION_SERVER_URL="${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_PORT/webhook}"
export RASA_TRACKER_DB="${RASA_TRACKER_DB:-$ROOT/var/conversations.db}"
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

PIDS=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "Stopping…"
  for pid in "${PIDS[@]}"; do kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

start() {  # start NAME COMMAND...: runs in its own process group, output to var/log/NAME.log
  local name="$1"; shift
  setsid "$@" >"var/log/$name.log" 2>&1 &
  PIDS+=("$!")
  echo "started $name (log: var/log/$name.log)"
}

wait_for() {  # wait_for NAME URL SECONDS
  local name="$1" url="$2" seconds="$3"
  for _ in $(seq 1 "$seconds"); do
    if curl -fs -o /dev/null "$url"; then echo "$name is up"; return 0; fi
    sleep 1
  done
  echo "$name did not start; last lines of var/log/$name.log:" >&2
  tail -n 30 "var/log/$name.log" >&2
  exit 1
}

start backoffice env BACKOFFICE_HOST=127.0.0.1 "$VENV_BIN/python" -m backoffice
start actions "$VENV_BIN/python" -m rasa_sdk --actions bot.actions -p "$ACTION_PORT"
start rasa "$VENV_BIN/rasa" run --enable-api --auth-token "$RASA_TOKEN" -i 127.0.0.1 -p "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml --model models/assistant.tar.gz
start worker "$VENV_BIN/python" -m bot.workers

wait_for backoffice "http://127.0.0.1:$BACKOFFICE_PORT/open311/v2/services.json" 60
wait_for actions "http://127.0.0.1:$ACTION_PORT/health" 60
wait_for rasa "http://127.0.0.1:$RASA_PORT/" 180

cat <<EOF

The city assistant is running.
  Web chat:        $PUBLIC_URL/webhooks/webchat/chat
  REST endpoint:   $PUBLIC_URL/webhooks/rest/webhook
  Back office:     http://127.0.0.1:$BACKOFFICE_PORT/open311/v2/services.json  (staff: $BACKOFFICE_ADMIN_USER / see var/dev-secrets.env)
  Rasa HTTP API:   $RASA_URL  (token in var/dev-secrets.env)

Try:
  curl -s $PUBLIC_URL/webhooks/rest/webhook -H "Authorization: Bearer $REST_TOKEN" \\
    -H 'Content-Type: application/json' -d '{"sender": "demo", "message": "huge pothole outside Mannerheimintie 5"}'

Ctrl-C stops everything.
EOF

# Stop everything as soon as any one service dies, so a half-running stack is never mistaken for a working one.
wait -n "${PIDS[@]}"
echo "A service stopped; see var/log/." >&2
exit 1
