#!/bin/sh
# Container start-up: bring the schema up to date, optionally load the starter data,
# then replace this shell with gunicorn so it runs as PID 1 and receives SIGTERM directly.
#
# LOAD_STARTER_DATA=1  import the shipped starter data (idempotent, one transaction).
set -eu

cd "$(dirname "$0")/.."

python manage.py migrate --noinput

case "${LOAD_STARTER_DATA:-0}" in
    1 | true | yes | on)
        python manage.py load_starter_data
        ;;
esac

exec gunicorn -c gunicorn.conf.py twinning.wsgi:application
