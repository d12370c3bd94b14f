#!/usr/bin/python3
"""Golden values for "more like this", near-duplicates, outlier scores and the .npy export
(org.itaestudio.cluster.CosineIndex / NearDuplicates / OutlierScores, org.itaestudio.store.ExploreExport).

Run with Debian's interpreter (not the pyenv python3 first on PATH):
    /usr/bin/python3 tools/make_explore_fixtures.py
Writes src/test/resources/explore/ (fixed seed, so reruns give the same files):

  explore.json  a float32 matrix with planted near-copies and two exact duplicate rows, and, computed here in float64
                with plain numpy (a dense similarity matrix, no blocking, no heaps):
                - knn: for some rows, the k most similar other rows (cosine, ties by lower index) and similarities;
                  for an outside query vector, the k most similar rows (no exclusion)
                - duplicates: connected components (breadth-first search) of the graph "cosine >= threshold",
                  groups of two or more, members ascending, similarity of each member to the group's lowest row
                - outlier: mean of (1 - cosine) over each row's k nearest other rows
  small.npy     numpy.save of a small float32 array (the Java writer must produce these bytes exactly)
  small.json    the same array's values, for the Java test to write
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "explore")


def unit(x):
    x = x.astype(np.float64)
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1
    return x / n


def sims(a, b):
    """Cosine similarities one dot product at a time: identical rows get bit-identical values (a BLAS matrix
    product may round the same dot product differently in different output positions, which would break ties)."""
    return np.array([[float(np.dot(a[i], b[j])) for j in range(len(b))] for i in range(len(a))])


def top_k(sim, k, exclude):
    order = sorted((i for i in range(len(sim)) if i != exclude), key=lambda i: (-sim[i], i))
    return order[:k]


def components(adj):
    n = len(adj)
    seen = [False] * n
    groups = []
    for s in range(n):
        if seen[s]:
            continue
        seen[s] = True
        queue, comp = [s], []
        while queue:
            v = queue.pop()
            comp.append(v)
            for w in np.nonzero(adj[v])[0]:
                if not seen[w]:
                    seen[w] = True
                    queue.append(int(w))
        if len(comp) > 1:
            groups.append(sorted(comp))
    groups.sort(key=lambda g: g[0])
    return groups


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(13)
    n0, d = 300, 32
    base = rng.normal(0, 1, size=(n0, d))
    copies = []
    for src in range(10):  # three noisy copies of each of ten rows: near-duplicate sets of four
        for _ in range(3):
            copies.append(base[src] + rng.normal(0, 0.08, size=d))
    exact = [base[20].copy(), base[21].copy()]  # exact duplicates: ties in every ranking
    x = np.vstack([base, np.array(copies), np.array(exact)])
    x = x[rng.permutation(len(x))].astype(np.float32)
    u = unit(x)
    s = sims(u, u)
    n = len(x)
    k = 10
    rows = [0, 1, 7, 42, 100, int(n - 1)]
    # rows that are exact duplicates of others, so ties are checked
    dup_rows = [i for i in range(n) if any(j != i and np.array_equal(x[i], x[j]) for j in range(n))]
    rows += dup_rows[:2]
    # rows whose neighbours include a pair of identical rows: the pair ties, the lower index must come first
    rows += [r for r in range(n) if r not in dup_rows and dup_rows[0] in top_k(s[r], k, r)][:2]
    knn = []
    for r in rows:
        idx = top_k(s[r], k, r)
        knn.append({"row": r, "k": k, "indices": idx, "similarities": [float(s[r, i]) for i in idx]})
    tie_q = x[dup_rows[0]]
    tie_s = sims(unit(tie_q[None, :]), u)[0]
    tie_idx = top_k(tie_s, 3, -1)
    q = rng.normal(0, 1, size=d).astype(np.float32)
    qs = sims(unit(q[None, :]), u)[0]
    qidx = top_k(qs, 7, -1)
    threshold = 0.95
    adj = s >= threshold
    np.fill_diagonal(adj, False)
    groups = components(adj)
    dups = [{"members": g, "similarity_to_first": [float(s[g[0], m]) if m != g[0] else 1.0 for m in g]} for g in groups]
    ko = 5
    outlier = []
    for i in range(n):
        idx = top_k(s[i], ko, i)
        outlier.append(float(np.mean([1 - s[i, j] for j in idx])))
    with open(os.path.join(OUT, "explore.json"), "w") as f:
        json.dump({"generator": "tools/make_explore_fixtures.py", "numpy": np.__version__,
                   "x": x.tolist(), "knn": knn,
                   "query": {"vector": q.tolist(), "k": 7, "indices": qidx, "similarities": [float(qs[i]) for i in qidx]},
                   "tie_query": {"vector": tie_q.tolist(), "k": 3, "indices": tie_idx,
                                 "similarities": [float(tie_s[i]) for i in tie_idx]},
                   "threshold": threshold, "duplicates": dups, "outlier_k": ko, "outlier": outlier}, f)
    small = (np.arange(15, dtype=np.float32).reshape(5, 3) - 7) / np.float32(3)
    small[0, 0] = np.float32(1e-7)
    np.save(os.path.join(OUT, "small.npy"), small)
    with open(os.path.join(OUT, "small.json"), "w") as f:
        json.dump({"shape": list(small.shape), "values": small.tolist()}, f)
    print("knn rows", rows, "tie query", tie_idx)
    print("n", n, "groups", len(groups), [len(g) for g in groups], "dup rows", dup_rows)


if __name__ == "__main__":
    main()
