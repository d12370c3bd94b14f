#!/usr/bin/python3
"""Golden values for the clustering/map code in org.itaestudio.cluster, from Debian's numpy/SciPy/scikit-learn.

Run with Debian's interpreter (not the pyenv python3 first on PATH):
    /usr/bin/python3 tools/make_cluster_fixtures.py
Writes src/test/resources/cluster/*.json (fixed seeds, so reruns give the same files).

  pca.json     sklearn.decomposition.PCA(2, svd_solver='full') scores, with the sign rule "the largest |score| of
               each component is positive" applied explicitly
  ward.json    scipy.cluster.hierarchy.linkage(method='ward') merge heights, fcluster cuts by k ('maxclust') and
               by height ('distance')
  kmeans.json  sklearn.cluster.KMeans(n_init=10) inertia for several k (ours must be as good, up to rounding)
  tsne.json    sklearn's Barnes-Hut t-SNE input affinities P (NearestNeighbors kNN with 3*perplexity+1 neighbours,
               squared distances, sklearn.manifold._t_sne._joint_probabilities_nn) and, for a fixed layout Y, the
               exact KL gradient and KL divergence in float64 numpy (cross-checked against sklearn's
               _kl_divergence_bh with angle=0)
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import _t_sne
from sklearn.neighbors import NearestNeighbors

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "cluster")
META = {"generator": "tools/make_cluster_fixtures.py", "sklearn": sklearn.__version__, "scipy": scipy.__version__,
        "numpy": np.__version__}


def blobs(rng, n, d, k, spread):
    centres = rng.normal(0, 1, size=(k, d)) * 3
    labels = rng.randint(0, k, size=n)
    x = centres[labels] + rng.normal(0, spread, size=(n, d))
    return x.astype(np.float32), labels


def pca_fixture():
    rng = np.random.RandomState(5)
    scales = np.array([5.0, 3.0, 2.0, 1.5] + [0.5] * 16)
    x = (rng.normal(size=(300, 20)) * scales + rng.normal(size=20) * 2).astype(np.float32)
    scores = PCA(n_components=2, svd_solver="full").fit_transform(x.astype(np.float64))
    for c in range(2):
        if scores[np.argmax(np.abs(scores[:, c])), c] < 0:
            scores[:, c] = -scores[:, c]
    return dict(META, x=x.tolist(), scores=scores.tolist())


def ward_fixture():
    rng = np.random.RandomState(9)
    x, _ = blobs(rng, 300, 12, 6, 1.6)
    z = linkage(x.astype(np.float64), method="ward")
    ks = list(range(2, 11))
    cuts_k = [[int(v) for v in fcluster(z, k, criterion="maxclust")] for k in ks]
    heights = z[:, 2]
    thresholds = [float(heights[-3] * 0.999), float(heights[-6] * 0.999), float(heights[-20] * 1.001)]
    cuts_t = [[int(v) for v in fcluster(z, t, criterion="distance")] for t in thresholds]
    return dict(META, x=x.tolist(), heights=heights.tolist(), ks=ks, cuts_by_k=cuts_k,
                thresholds=thresholds, cuts_by_threshold=cuts_t)


def kmeans_fixture():
    rng = np.random.RandomState(13)
    x, _ = blobs(rng, 600, 16, 8, 2.0)
    ks = [2, 3, 5, 8, 12]
    inertia = [float(KMeans(n_clusters=k, n_init=10, random_state=0).fit(x.astype(np.float64)).inertia_) for k in ks]
    return dict(META, x=x.tolist(), ks=ks, inertia=inertia)


def tsne_fixture():
    rng = np.random.RandomState(17)
    x, _ = blobs(rng, 300, 10, 5, 1.5)
    perplexity = 10.0
    n = x.shape[0]
    k = min(n - 1, int(3.0 * perplexity + 1))
    knn = NearestNeighbors(n_neighbors=k, metric="euclidean").fit(x.astype(np.float64))
    d = knn.kneighbors_graph(mode="distance")
    d.data **= 2
    p = _t_sne._joint_probabilities_nn(d, perplexity, 0).tocsr()
    p.sort_indices()
    y = rng.normal(0, 3, size=(n, 2))
    pd = p.toarray()
    diff = y[:, None, :] - y[None, :, :]
    num = 1.0 / (1.0 + np.sum(diff ** 2, axis=2))
    np.fill_diagonal(num, 0.0)
    q = num / num.sum()
    grad = 4.0 * np.sum(((pd - q) * num)[:, :, None] * diff, axis=1)
    mask = pd > 0
    kl = float(np.sum(pd[mask] * np.log(pd[mask] / q[mask])))
    # cross-check the formula (factor 4, normalisation) against sklearn's own gradient code, exact (angle=0)
    kl_sk, grad_sk = _t_sne._kl_divergence_bh(y.ravel().astype(np.float32), p, 1, n, 2, angle=0.0,
                                               compute_error=True, num_threads=1)
    assert np.allclose(grad_sk.reshape(n, 2), grad, rtol=1e-3, atol=1e-6 * np.abs(grad).max()), "gradient mismatch"
    assert abs(kl_sk - kl) < 1e-4 * max(1.0, kl), (kl_sk, kl)
    return dict(META, x=x.tolist(), perplexity=perplexity, n_neighbors=k,
                p_indptr=[int(v) for v in p.indptr], p_indices=[int(v) for v in p.indices],
                p_data=p.data.tolist(), y=y.tolist(), grad=grad.tolist(), kl=kl)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, make in [("pca.json", pca_fixture), ("ward.json", ward_fixture), ("kmeans.json", kmeans_fixture),
                       ("tsne.json", tsne_fixture)]:
        path = os.path.join(OUT, name)
        with open(path, "w") as f:
            json.dump(make(), f, separators=(",", ":"))
            f.write("\n")
        print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
