#!/usr/bin/env python3
"""The smallest useful grit reward plugin: "exact" is 1 when the completion, stripped, equals
the reference answer, else 0. Copy it and change score()."""
import json
import sys


def score(task, completion, turn, history):
    """Returns {component name: number, or an error string}."""
    return {"exact": 1.0 if completion.strip() == task["answer"].strip() else 0.0}


for line in sys.stdin:  # one JSON object per line; the loop ends when grit closes stdin
    message = json.loads(line)
    if message["type"] == "hello":
        reply = {"type": "hello", "protocol": 1, "name": "minimal", "components": ["exact"]}
    else:  # "score"
        components = score(message["task"], message["completion"], message["turn"], message["history"])
        reply = {"type": "result", "id": message["id"], "components": components,
                 "correct": components["exact"] == 1.0}
    print(json.dumps(reply), flush=True)  # flush, or grit waits for an answer stuck in a buffer
