"""A WSGI application that streams for longer than a 1 s gunicorn timeout (test_deployment).

It stands in for a long CSV export: eight lines, half a second apart. The pauses
are the slow work being imitated, not a way of waiting for something.
"""

import time

LINES = 8


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    for number in range(LINES):
        time.sleep(0.5)
        yield f"line {number}\n".encode()
