#!/usr/bin/env python3
"""Independent HDBSCAN reference (numpy + scipy) and the fixtures HdbscanTest compares against.

Written from Campello, Moulavi, Sander (2013) "Density-based clustering based on hierarchical
density estimates" and McInnes, Healy (2017) "Accelerated hierarchical density based
clustering", with these definitions (the Java class comment states the same ones):

* core distance: Euclidean distance to the min_samples-th nearest point, the point itself
  counted first (so min_samples = 1 gives 0);
* mutual reachability: max(core(a), core(b), d(a, b));
* single linkage over ALL pairs (no spanning tree: Kruskal on the full graph), every edge of one
  weight merged at once, so a level may join more than two components;
* condensed tree top-down, lambda = 1 / distance: at a split, children with >= min_cluster_size
  points become new clusters if there are two or more of them, a single one continues its
  parent, smaller children's points fall out of the parent at that lambda; stability =
  sum of (lambda - lambda_birth) * size over the cluster's rows;
* excess of mass bottom-up, root never selected, a cluster kept unless its children's selected
  stability is strictly larger; a point's label is the selected cluster it fell from or that
  contains it, else -1; clusters renumbered by decreasing size (ties: lowest member index).

Usage: python3 tools/hdbscan_reference.py  (writes src/test/resources/cluster/hdbscan.json)
"""
import json
import os

import numpy as np
from scipy.spatial.distance import cdist


def hdbscan_labels(x, min_cluster_size, min_samples):
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n == 1:
        return [-1]
    d = cdist(x, x)
    core = np.sort(d, axis=1)[:, min_samples - 1]  # column 0 is the point itself
    mr = np.maximum(d, np.maximum(core[:, None], core[None, :]))

    # --- single-linkage hierarchy, ties merged at once -------------------------------------
    iu, ju = np.triu_indices(n, 1)
    w = mr[iu, ju]
    order = np.argsort(w, kind="stable")
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    node_of = {i: i for i in range(n)}  # union-find root -> hierarchy node
    size_of_root = {i: 1 for i in range(n)}
    children = {}  # internal node -> list of child nodes
    dist = {}
    size = {i: 1 for i in range(n)}
    next_id = n
    pos = 0
    components = n
    while pos < len(order) and components > 1:
        level = w[order[pos]]
        end = pos
        while end < len(order) and w[order[end]] == level:
            end += 1
        old = {}
        for t in order[pos:end]:
            for v in (iu[t], ju[t]):
                r = find(v)
                old[r] = (node_of[r], size_of_root[r])
        for t in order[pos:end]:
            a, b = find(iu[t]), find(ju[t])
            if a != b:
                parent[max(a, b)] = min(a, b)
                components -= 1
        groups = {}
        for r, (nd, sz) in old.items():
            groups.setdefault(find(r), []).append((nd, sz))
        for root, parts in sorted(groups.items()):
            if len(parts) < 2:
                continue  # all of this level's edges inside one existing component
            children[next_id] = [p[0] for p in parts]
            dist[next_id] = level
            size[next_id] = sum(p[1] for p in parts)
            node_of[root] = next_id
            size_of_root[root] = size[next_id]
            next_id += 1
        pos = end
    root = next_id - 1

    # --- condensed tree --------------------------------------------------------------------
    cl_parent = [-1]
    birth = [0.0]
    stab = [0.0]
    cl_children = [[]]
    fell_from = [0] * n

    def leaves(v):
        out, todo = [], [v]
        while todo:
            u = todo.pop()
            if u < n:
                out.append(u)
            else:
                todo.extend(children[u])
        return out

    stack = [(root, 0)]
    while stack:
        v, c = stack.pop()
        lam = 1.0 / dist[v] if dist[v] > 0 else np.inf
        kids = children[v]
        big = [k for k in kids if size[k] >= min_cluster_size]
        for k in kids:
            if size[k] >= min_cluster_size and len(big) >= 2:
                cid = len(cl_parent)
                cl_parent.append(c)
                birth.append(lam)
                stab.append(0.0)
                cl_children.append([])
                cl_children[c].append(cid)
                stab[c] += (lam - birth[c]) * size[k]
                stack.append((k, cid))
            elif size[k] >= min_cluster_size:
                stack.append((k, c))
            else:
                stab[c] += (lam - birth[c]) * size[k]
                for p in leaves(k):
                    fell_from[p] = c

    # --- excess of mass ----------------------------------------------------------------------
    m = len(cl_parent)
    selected = [False] * m
    value = [0.0] * m
    for c in range(m - 1, 0, -1):
        s = sum(value[k] for k in cl_children[c])
        if cl_children[c] and s > stab[c]:
            value[c] = s
        else:
            value[c] = stab[c]
            selected[c] = True
            todo = list(cl_children[c])
            while todo:
                k = todo.pop()
                selected[k] = False
                todo.extend(cl_children[k])
    raw = []
    for p in range(n):
        c, lab = fell_from[p], -1
        while c > 0:
            if selected[c]:
                lab = c
                break
            c = cl_parent[c]
        raw.append(lab)
    # canonical numbering
    ids = sorted({r for r in raw if r >= 0}, key=lambda r: (-raw.count(r), raw.index(r)))
    to = {r: q for q, r in enumerate(ids)}
    return [to[r] if r >= 0 else -1 for r in raw]


def fixtures():
    rng = np.random.default_rng(2013)
    cases = []
    # 1. three 2-D blobs of different densities plus uniform background noise
    a = rng.normal([0, 0], 0.3, (60, 2))
    b = rng.normal([4, 4], 0.6, (80, 2))
    c = rng.normal([0, 5], 1.0, (50, 2))
    noise = rng.uniform(-3, 8, (40, 2))
    cases.append(("blobs_noise", np.vstack([a, b, c, noise]), 8, 5))
    cases.append(("blobs_noise_ms1", np.vstack([a, b, c, noise]), 5, 1))
    # 2. integer lattice patches: many equal distances (ties) and exact duplicates
    g1 = np.array([[i, j] for i in range(6) for j in range(6)], dtype=float)
    g2 = g1 + [20, 0]
    g3 = np.array([[i, j] for i in range(3) for j in range(3)], dtype=float) + [10, 10]
    dup = np.array([[2, 2]] * 3 + [[22, 3]] * 2, dtype=float)
    lone = np.array([[10, -8], [-9, 9], [30, 30]], dtype=float)
    lattice = np.vstack([g1, g2, g3, dup, lone])
    cases.append(("lattice_ties", lattice, 5, 3))
    cases.append(("lattice_ties_small", lattice, 4, 4))
    # a 3-way split at one level: three identical lattices on an equilateral-ish integer triangle
    tri = np.vstack([g3, g3 + [30, 0], g3 + [15, 26], [[15, 9]]])
    cases.append(("three_way_tie", tri, 4, 2))
    # 3. 5-D Gaussian clusters with nested structure (a pair of close blobs) and noise
    centres = np.array([[0] * 5, [6, 0, 0, 0, 0], [6.8, 0.5, 0, 0, 0], [0, 8, 0, 3, 0]], dtype=float)
    pts = [rng.normal(cn, 0.5, (45, 5)) for cn in centres]
    pts.append(rng.uniform(-4, 10, (30, 5)))
    cases.append(("nested_5d", np.vstack(pts), 10, 6))
    cases.append(("nested_5d_large_mcs", np.vstack(pts), 60, 6))
    out = []
    for name, x, mcs, ms in cases:
        x = np.asarray(x, dtype=np.float32).astype(np.float64)  # the Java side reads float32
        labels = hdbscan_labels(x, mcs, ms)
        k = max(labels) + 1
        print(f"{name}: n={len(x)} mcs={mcs} ms={ms} -> {k} clusters, {labels.count(-1)} noise")
        out.append({"name": name, "min_cluster_size": mcs, "min_samples": ms,
                    "x": x.tolist(), "labels": labels})
    return out


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, "src", "test", "resources", "cluster", "hdbscan.json")
    with open(path, "w") as f:
        json.dump({"generator": "tools/hdbscan_reference.py", "cases": fixtures()}, f)
    print("wrote", path)
