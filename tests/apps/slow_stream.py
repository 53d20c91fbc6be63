"""A WSGI application that streams for longer than a 3 s gunicorn timeout (test_deployment).

It stands in for a long CSV export: eight lines, 0.75 s apart (6 s in all). The pauses
are the slow work being imitated, not a way of waiting for something.
"""

import time

LINES = 8
PAUSE_SECONDS = 0.75


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    for number in range(LINES):
        time.sleep(PAUSE_SECONDS)
        yield f"line {number}\n".encode()
