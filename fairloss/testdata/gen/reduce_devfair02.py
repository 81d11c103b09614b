#!/usr/bin/python3
"""Writes testdata/goldens/fairloss/devfair02_reduced.json.gz from the shared golden.

The shared devfair02.json (geomloss 0.2.6, see goldens/README.md) is 8.8 MB; the
reduced copy keeps every input and the value, and the gradient rows listed in
`grad_rows` (every 4th row), gzip-compressed. Usage (from the repository root):

    /usr/bin/python3 fairloss/testdata/gen/reduce_devfair02.py ../shared/goldens/fairloss/devfair02.json
"""
import gzip
import json
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/goldens/fairloss/devfair02.json"
with open(src) as f:
    d = json.load(f)
rows = list(range(0, len(d["features"]), 4))
d["grad_rows"] = rows
d["grad_features"] = [d["grad_features"][i] for i in rows]
d["note"] = "reduced copy of devfair02.json: grad_features holds only the rows in grad_rows"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "goldens", "fairloss", "devfair02_reduced.json.gz")
with gzip.open(out, "wt") as f:
    json.dump(d, f)
print("wrote", out)
