"""Where the shared test data (../shared/data: CIFAR-10, photos, odd images) is, for the golden-writing tools."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def find():
    """$ITAE_SHARED_DATA, else the first shared/data beside the repository or one of its parents; None if absent."""
    env = os.environ.get("ITAE_SHARED_DATA")
    if env:
        return Path(env)
    for d in [ROOT, *ROOT.parents]:
        for cand in (d / "shared" / "data", d.parent / "shared" / "data"):
            if cand.is_dir():
                return cand
    return None
