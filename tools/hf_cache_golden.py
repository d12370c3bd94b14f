#!/usr/bin/env python3
"""Golden for the Hugging Face cache layout, written by the real huggingface_hub.

Serves the same fake repo as src/test/java/org/itaestudio/model/hub/FakeHub.java (same bytes, same headers:
X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size, a 302 to a CDN on another port, Range support) on 127.0.0.1,
lets huggingface_hub.hf_hub_download fetch config.json and model.safetensors into an empty cache, and records the
tree it wrote (regular files, symlinks with their targets, the content of refs/main) as JSON.
ModelResolverTest compares the tree the Java downloader writes with it.

huggingface_hub is not a Debian package, so run this with any Python that has it, e.g.
    python3 -m venv /tmp/hfvenv && /tmp/hfvenv/bin/pip install huggingface_hub
    /tmp/hfvenv/bin/python tools/hf_cache_golden.py > src/test/resources/org/itaestudio/model/hub/hf_cache_layout.json

With --write-cache DIR the cache huggingface_hub wrote is kept in DIR (for reading it from Java).
With --check-cache DIR it instead checks a cache written by the Java code: huggingface_hub must find both files
offline (local_files_only) with the right bytes, and scan_cache_dir must report no warnings.
"""
import hashlib
import http.server
import json
import os
import sys
import tempfile
import threading

COMMIT = "4f5a1b2c3d4e5f60718293a4b5c6d7e8f9012345"
REPO = "facebook/dinov2-small"
CONFIG = b'{\n  "model_type": "dinov2",\n  "hidden_size": 384\n}\n'
WEIGHTS_SIZE = 300 * 1024


def fake_weights():
    out = bytearray()
    i = 0
    while len(out) < WEIGHTS_SIZE:
        out += hashlib.sha256(b"itae-fake-weights" + i.to_bytes(4, "big")).digest()
        i += 1
    return bytes(out[:WEIGHTS_SIZE])


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


WEIGHTS = fake_weights()
WEIGHTS_SHA256 = hashlib.sha256(WEIGHTS).hexdigest()
CONFIG_ETAG = git_blob_sha1(CONFIG)
POINTER_ETAG = git_blob_sha1(
    ("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n" % (WEIGHTS_SHA256, WEIGHTS_SIZE)).encode())


def serve(handler_class):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


def start_fake_hub():
    class Cdn(Quiet):
        def do_GET(self):
            if self.path.split("?")[0] != "/cdn/" + WEIGHTS_SHA256:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start = 0
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes=") and rng.endswith("-"):
                start = int(rng[6:-1])
                self.send_response(206)
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, WEIGHTS_SIZE - 1, WEIGHTS_SIZE))
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(WEIGHTS_SIZE - start))
            self.end_headers()
            self.wfile.write(WEIGHTS[start:])

    cdn = serve(Cdn)
    # huggingface_hub follows HEAD redirects to the same host name: the CDN needs another name, like the real one
    cdn_origin = "http://localhost:%d" % cdn.server_address[1]

    class Hub(Quiet):
        def answer(self, body):
            prefix = "/%s/resolve/" % REPO
            path = self.path.split("?")[0]
            if not path.startswith(prefix):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            revision, filename = path[len(prefix):].split("/", 1)
            if revision not in ("main", COMMIT) or filename not in ("config.json", "model.safetensors"):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if filename == "config.json":
                self.send_response(200)
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", '"%s"' % CONFIG_ETAG)
                self.send_header("Content-Length", str(len(CONFIG)))
                self.end_headers()
                if body:
                    self.wfile.write(CONFIG)
            else:
                self.send_response(302)
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", '"%s"' % POINTER_ETAG)
                self.send_header("X-Linked-Etag", '"%s"' % WEIGHTS_SHA256)
                self.send_header("X-Linked-Size", str(WEIGHTS_SIZE))
                self.send_header("Location", "%s/cdn/%s?signed=1" % (cdn_origin, WEIGHTS_SHA256))
                self.send_header("Content-Length", "0")
                self.end_headers()

        def do_HEAD(self):
            self.answer(False)

        def do_GET(self):
            self.answer(True)

    hub = serve(Hub)
    return "http://127.0.0.1:%d" % hub.server_address[1], (hub, cdn)


def tree(root):
    entries = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            if os.path.islink(path):
                entries[rel] = "-> " + os.readlink(path).replace(os.sep, "/")
            elif os.path.isfile(path):
                entries[rel] = "file"
    return dict(sorted(entries.items()))


def record_golden(keep_in=None):
    endpoint, servers = start_fake_hub()
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_XET"] = "1"
    import huggingface_hub
    from huggingface_hub import hf_hub_download

    with tempfile.TemporaryDirectory() as tmp:
        cache = keep_in or tmp
        paths = [hf_hub_download(REPO, name, cache_dir=cache, endpoint=endpoint)
                 for name in ("config.json", "model.safetensors")]
        with open(paths[1], "rb") as f:
            assert f.read() == WEIGHTS
        with open(os.path.join(cache, "models--facebook--dinov2-small", "refs", "main"), "rb") as f:
            refs_main = f.read().decode()
        golden = {
            "generator": "tools/hf_cache_golden.py with huggingface_hub " + huggingface_hub.__version__,
            "commit": COMMIT,
            "refs_main": refs_main,
            "tree": tree(cache),
        }
    for server in servers:
        server.shutdown()
    json.dump(golden, sys.stdout, indent=2)
    sys.stdout.write("\n")


def check_cache(cache):
    os.environ["HF_HUB_OFFLINE"] = "1"
    from huggingface_hub import hf_hub_download, scan_cache_dir, try_to_load_from_cache

    config = hf_hub_download(REPO, "config.json", cache_dir=cache, local_files_only=True)
    weights = hf_hub_download(REPO, "model.safetensors", cache_dir=cache, local_files_only=True)
    assert open(config, "rb").read() == CONFIG, config
    assert open(weights, "rb").read() == WEIGHTS, weights
    assert try_to_load_from_cache(REPO, "model.safetensors", cache_dir=cache) == weights
    info = scan_cache_dir(cache)
    assert not info.warnings, info.warnings
    repo = next(iter(info.repos))
    revision = next(iter(repo.revisions))
    print("huggingface_hub reads the cache: repo %s, revision %s, refs %s, files %s, %d bytes on disk" % (
        repo.repo_id, revision.commit_hash, sorted(revision.refs), sorted(f.file_name for f in revision.files),
        repo.size_on_disk))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-cache":
        check_cache(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--write-cache":
        record_golden(keep_in=sys.argv[2])
    else:
        record_golden()
