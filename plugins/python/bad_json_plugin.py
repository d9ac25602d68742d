#!/usr/bin/env python3
"""Test plugin that answers the handshake properly, then answers every score request with a line
that is not JSON (as a plugin that prints debug output on stdout would)."""
import json
import sys


def main():
    for line in iter(sys.stdin.readline, ""):
        message = json.loads(line)
        if message["type"] == "hello":
            reply = json.dumps({"type": "hello", "protocol": 1, "name": "bad_json", "components": ["score"]})
        else:
            reply = "debug: scoring request %s" % message.get("id")
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
