#!/usr/bin/env python3
"""Test plugin that speaks protocol version 2, which grit (protocol 1) must refuse."""
import json
import sys


def main():
    for line in iter(sys.stdin.readline, ""):
        if json.loads(line)["type"] == "hello":
            reply = {"type": "hello", "protocol": 2, "name": "future", "components": ["score"]}
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
