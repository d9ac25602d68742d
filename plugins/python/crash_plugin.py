#!/usr/bin/env python3
"""Test plugin that crashes: it answers the first score request, then exits with status 3 on the
second. With --at-handshake it exits before answering the handshake instead."""
import json
import sys


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    at_handshake = "--at-handshake" in sys.argv[1:]
    requests = 0
    for line in iter(sys.stdin.readline, ""):
        message = json.loads(line)
        if message["type"] == "hello":
            if at_handshake:
                print("crash_plugin: dying during the handshake on purpose", file=sys.stderr)
                sys.exit(3)
            send({"type": "hello", "protocol": 1, "name": "crash", "components": ["score"]})
            continue
        requests += 1
        if requests == 2:
            print("crash_plugin: dying on request 2 on purpose", file=sys.stderr)
            sys.stderr.flush()
            sys.exit(3)
        send({"type": "result", "id": message["id"], "components": {"score": 1.0}})


if __name__ == "__main__":
    main()
