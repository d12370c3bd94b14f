#!/usr/bin/env python3
"""Trustworthiness at k of exported map coordinates, as scikit-learn computes it.

    /usr/bin/python3 tools/trustworthiness.py DIR [k]

DIR holds x_sample.npy (the original rows of a seeded sample) and <method>_sample.npy (their
2-D map coordinates), as written by org.itaestudio.bench.MapMethodsBenchmark. Prints one line
per map. Uses Debian's python3-sklearn (1.2): sklearn.manifold.trustworthiness with the
Euclidean metric. The sample keeps the O(n^2) memory of sklearn's implementation bounded
(5,000 points: 200 MB); neighbours are those within the sample, for every method alike.
"""
import glob
import os
import sys

import numpy as np
from sklearn.manifold import trustworthiness


def main():
    folder = sys.argv[1]
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    x = np.load(os.path.join(folder, "x_sample.npy")).astype(np.float64)
    # the Java maps run on L2-normalised rows; trustworthiness is measured in that space
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    for path in sorted(glob.glob(os.path.join(folder, "*_sample.npy"))):
        name = os.path.basename(path)[: -len("_sample.npy")]
        if name == "x":
            continue
        y = np.load(path).astype(np.float64)
        t = trustworthiness(x, y, n_neighbors=k)
        print(f"{name}: trustworthiness(k={k}) = {t:.4f} on {len(x)} points")


if __name__ == "__main__":
    main()
