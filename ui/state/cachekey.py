"""Exact, cheap cache keys for a page's tensors and parameters.

``st.cache_data`` hashes every argument with Streamlit's general hasher, which walks dicts and arrays in
Python: about a millisecond per call for a page's tensors, paid on every rerun of a slider.  The pages
instead pass one :func:`fingerprint` of the tensors and parameters and hand the objects themselves over as
``_``-prefixed arguments, which Streamlit leaves out of the key.
"""

from __future__ import annotations

import hashlib

import numpy as np


def fingerprint(tensors: dict, params: dict) -> str:
    """A digest of every tensor's name, dtype, shape and bytes, and of the parameters' reprs.

    Equal inputs give equal keys; different inputs give different keys (up to a 128-bit hash collision).
    Values that are not numeric arrays (None, strings, ...) enter through their repr.
    """
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(tensors):
        value = tensors[name]
        digest.update(f"{name}\0".encode())
        arr = None if value is None else np.asarray(value)
        if arr is not None and arr.dtype.kind in "biuf":
            digest.update(f"{arr.dtype.str}{arr.shape}\0".encode())
            digest.update(np.ascontiguousarray(arr).tobytes())
        else:
            digest.update(repr(value).encode())
        digest.update(b"\1")
    digest.update(repr(sorted(params.items())).encode())
    return digest.hexdigest()
