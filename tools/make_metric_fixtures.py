#!/usr/bin/python3
"""Golden values for org.itaestudio.cluster.Metrics, computed with Debian's scikit-learn / SciPy.

Run with Debian's interpreter (not the pyenv python3 first on PATH):
    /usr/bin/python3 tools/make_metric_fixtures.py
Writes src/test/resources/metrics/*.json. Every case is deterministic (fixed numpy seeds).

References:
  NMI  sklearn.metrics.normalized_mutual_info_score (average_method='arithmetic', the default)
  ARI  sklearn.metrics.adjusted_rand_score
  ACC  contingency matrix + scipy.optimize.linear_sum_assignment(maximize=True), divided by n
  silhouette       sklearn.metrics.silhouette_score (euclidean and cosine), float64 input
  trustworthiness  sklearn.manifold.trustworthiness, float64 input
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.manifold import trustworthiness
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score
from sklearn.metrics.cluster import contingency_matrix

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "metrics")


def acc(truth, pred):
    c = contingency_matrix(truth, pred)
    rows, cols = linear_sum_assignment(c, maximize=True)
    return float(c[rows, cols].sum()) / len(truth)


def label_case(name, truth, pred):
    truth = [int(v) for v in truth]
    pred = [int(v) for v in pred]
    return {
        "name": name,
        "truth": truth,
        "pred": pred,
        "acc": acc(truth, pred),
        "nmi": float(normalized_mutual_info_score(truth, pred)),
        "ari": float(adjusted_rand_score(truth, pred)),
    }


def label_cases():
    rng = np.random.RandomState(20241004)
    cases = []
    n = 1000
    truth10 = rng.randint(0, 10, size=n)
    cases.append(label_case("random_10x10_n1000", truth10, rng.randint(0, 10, size=n)))
    cases.append(label_case("perfect_n1000", truth10, truth10))
    perm = rng.permutation(10)
    cases.append(label_case("permuted_n1000", truth10, perm[truth10]))
    noisy = perm[truth10].copy()
    flip = rng.rand(n) < 0.25
    noisy[flip] = rng.randint(0, 10, size=flip.sum())
    cases.append(label_case("noisy25_permuted_n1000", truth10, noisy))
    # more clusters than classes: classes split into sub-clusters, plus noise
    truth5 = rng.randint(0, 5, size=n)
    pred8 = truth5 * 2 + rng.randint(0, 2, size=n)
    pred8[pred8 > 7] = 7
    pred8[rng.rand(n) < 0.1] = rng.randint(0, 8)
    cases.append(label_case("k8_gt_classes5_n1000", truth5, pred8))
    # fewer clusters than classes: classes merged
    cases.append(label_case("k4_lt_classes10_n1000", truth10, (truth10 // 3 + (rng.rand(n) < 0.15)) % 4))
    cases.append(label_case("single_cluster_n1000", truth10, np.zeros(n, dtype=int)))
    cases.append(label_case("single_class_n500", np.zeros(500, dtype=int), rng.randint(0, 3, size=500)))
    cases.append(label_case("both_single_n50", np.zeros(50, dtype=int), np.full(50, 7)))
    cases.append(label_case("all_distinct_n40", np.arange(40), rng.permutation(40)))
    cases.append(label_case("sparse_label_values", [-1, 3, 3, 100, 100, 100, 7, -1, 3, 7, 7, 100],
                            [5, 5, 2, 2, 2, 9, 9, 5, 2, -4, 9, 2]))
    cases.append(label_case("tiny_n7", [0, 0, 1, 1, 2, 2, 2], [1, 1, 0, 0, 0, 2, 3]))
    unbalanced_truth = np.concatenate([np.zeros(900, dtype=int), np.ones(90, dtype=int), np.full(10, 2)])
    unbalanced_pred = unbalanced_truth.copy()
    unbalanced_pred[rng.rand(1000) < 0.05] = 3
    cases.append(label_case("unbalanced_n1000", unbalanced_truth, unbalanced_pred))
    return cases


def silhouette_cases():
    rng = np.random.RandomState(7)
    centers = rng.normal(0, 3, size=(4, 8))
    labels = rng.randint(0, 4, size=200)
    x = (centers[labels] + rng.normal(0, 1.5, size=(200, 8))).astype(np.float32)
    labels[:3] = 9  # a few points in an extra tiny cluster
    labels[3] = 11  # a singleton cluster: its silhouette is 0
    x64 = x.astype(np.float64)
    return {
        "x": x.tolist(),
        "labels": [int(v) for v in labels],
        "euclidean": float(silhouette_score(x64, labels, metric="euclidean")),
        "cosine": float(silhouette_score(x64, labels, metric="cosine")),
    }


def trustworthiness_cases():
    rng = np.random.RandomState(11)
    x = rng.normal(size=(150, 10)).astype(np.float32)
    # a map that keeps some structure: first two coordinates plus noise
    low = x[:, :2].astype(np.float64) + rng.normal(0, 0.5, size=(150, 2))
    x64 = x.astype(np.float64)
    return {
        "high": x.tolist(),
        "low": low.tolist(),
        "k": [5, 10],
        "trustworthiness": [float(trustworthiness(x64, low, n_neighbors=k)) for k in (5, 10)],
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {"generator": "tools/make_metric_fixtures.py", "sklearn": sklearn.__version__, "scipy": scipy.__version__,
            "numpy": np.__version__}
    files = {
        "labels.json": dict(meta, cases=label_cases()),
        "silhouette.json": dict(meta, **silhouette_cases()),
        "trustworthiness.json": dict(meta, **trustworthiness_cases()),
    }
    for name, payload in files.items():
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(payload, f, separators=(",", ":"))
            f.write("\n")
        print("wrote", os.path.join(OUT, name))


if __name__ == "__main__":
    main()
