#!/bin/sh
# Run a command again whenever it exits — a Celery worker or beat that died — after a short
# pause, as docker compose's `restart:` does in production. Ctrl+C stops it.
trap 'exit 0' INT TERM
while true; do
  "$@"
  echo "supervise: '$*' exited with status $?; starting it again in 2 s" >&2
  sleep 2
done
