"""The restricted loader of numpy pickles (helpers.data._unpickle): genuine numpy pickles of protocols 0-5
load exactly as pickle.loads would; everything else, including memory-unsafe uses of the admitted numpy
globals and tiny pickles that ask for gigabytes, is refused with UnsafePickleError.

The attacks that would allocate gigabytes against a permissive loader run in a subprocess with a 1 GiB
address-space limit, so that a regression fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from helpers import data
from helpers.data._unpickle import NUMPY_ARRAY_GLOBALS, restricted_load

UnsafePickleError = data.UnsafePickleError
PKL = "elpasolite/sources/jeherr__train_set.pkl"


def G(module: str, name: str) -> bytes:
    """The GLOBAL opcode for ``module.name``."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def _sample() -> dict:
    rng = np.random.default_rng(0)
    return {
        "f8": rng.normal(size=(7, 3)),
        "i4": np.arange(12, dtype=np.int32).reshape(3, 4),
        "u1": np.frombuffer(b"abcd", dtype=np.uint8),  # read-only source array
        "b1": np.array([True, False, True]),
        "f2": np.linspace(0, 1, 5, dtype=np.float16),
        "c16": np.array([1 + 2j, -3.5j]),
        "c8": np.array([1 + 1j], dtype=np.complex64),
        "big_endian": np.arange(4, dtype=">u2"),
        "fortran": np.asfortranarray(rng.normal(size=(4, 5))),
        "strided": np.arange(20.0)[::3],
        "transposed_3d": np.arange(24.0).reshape(2, 3, 4).transpose(1, 0, 2),
        "scalar_0d": np.array(2.5),
        "empty": np.zeros((0, 3)),
        "nested": [np.arange(3, dtype=np.int64), (np.ones(2, dtype=np.float32), None, 1.5, -7, "text", b"raw")],
        "same_twice": None,
    }


def _assert_same(a, b):
    assert type(a) is type(b)
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.strides == b.strides or a.size == 0  # an empty array's strides are arbitrary
        assert a.flags.writeable == b.flags.writeable
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_genuine_numpy_pickles_load_like_pickle(protocol):
    obj = _sample()
    obj["same_twice"] = obj["f8"]  # a memo reference to an array
    blob = pickle.dumps(obj, protocol=protocol)
    back = restricted_load(blob, source="sample.pkl")
    _assert_same(back, pickle.loads(blob))
    assert back["same_twice"] is back["f8"]
    assert back["fortran"].flags.f_contiguous


def test_numpy_1_module_names_are_accepted():
    """numpy 1.x wrote ``numpy.core.multiarray`` where numpy 2 writes ``numpy._core.multiarray``."""
    blob = pickle.dumps({"a": np.arange(5.0)}, protocol=2).replace(b"cnumpy._core.", b"cnumpy.core.")
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in blob
    np.testing.assert_array_equal(restricted_load(blob)["a"], np.arange(5.0))


def test_python2_elpasolite_pickle_loads_like_pickle(real_bytes):
    """The upstream file: a Python 2, protocol-2 pickle whose array buffers are py2 ``str``."""
    blob = real_bytes(PKL)
    back = restricted_load(blob, source=PKL)
    _assert_same(back, pickle.loads(blob, encoding="latin1"))
    assert back["ANs"].dtype == np.int32 and back["ANs"].shape == (10590, 4) and back["FEs"].dtype == np.float64


def _py2_protocol0(arrays: dict) -> bytes:
    """What Python 2's ``pickle.dumps(arrays, 0)`` writes for a dict of 1-d little-endian numpy arrays."""

    def s(text: bytes) -> bytes:  # a py2 str literal: S'...' with \\xNN escapes
        return (
            b"S'" + b"".join(bytes([c]) if 32 <= c < 127 and c not in b"'\\" else b"\\x%02x" % c for c in text) + b"'\n"
        )

    out, memo = [b"(dp0\n"], 1
    for key, arr in arrays.items():
        out += [
            s(key.encode()),
            b"p%d\n" % memo,
            b"cnumpy.core.multiarray\n_reconstruct\np%d\n" % (memo + 1),
            b"(cnumpy\nndarray\np%d\n(I0\ntp%d\nS'b'\np%d\ntp%d\nRp%d\n" % tuple(range(memo + 2, memo + 7)),
            b"(I1\n(I%d\ntp%d\n" % (arr.size, memo + 7),
            b"cnumpy\ndtype\np%d\n(S'%s'\np%d\nI0\nI1\ntp%d\nRp%d\n"
            % (memo + 8, arr.dtype.str[1:].encode(), memo + 9, memo + 10, memo + 11),
            b"(I3\nS'%s'\np%d\nNNNI-1\nI-1\nI0\ntp%d\nbI00\n" % (arr.dtype.str[:1].encode(), memo + 12, memo + 13),
            s(arr.tobytes()),
            b"p%d\ntp%d\nbs" % (memo + 14, memo + 15),
        ]
        memo += 16
    return b"".join(out) + b"."


def test_python2_protocol_0_pickle_loads_like_pickle():
    """Python 2 writes array buffers at protocol 0 as escaped ``STRING`` literals (latin-1, not ASCII)."""
    arrays = {
        "FEs": np.array([1.5, -2.25, 1e300]),
        "ANs": np.arange(0, 1000, 111, dtype="<i4"),
        "u1": np.arange(250, 256, dtype="|u1"),
    }
    blob = _py2_protocol0(arrays)
    expected = pickle.loads(blob, encoding="latin1")
    back = restricted_load(blob, source="py2.pkl")
    _assert_same(back, expected)
    for key, arr in arrays.items():
        np.testing.assert_array_equal(back[key], arr)


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_allocation_is_bounded_by_the_input(protocol):
    """Loading a genuine pickle allocates about twice its size; the loader's limit is 4 × size + 1 MiB."""
    blob = pickle.dumps({"x": np.random.default_rng(1).normal(size=250_000)}, protocol=protocol)
    tracemalloc.start()
    try:
        restricted_load(blob)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 4 * len(blob) + (1 << 20)


# ------------------------------------------------------------------------------------ attacks (issue 13)
def _genuine_dtype(code: bytes) -> bytes:
    """``dtype(code, False, True)`` + its BUILD state, as numpy writes it."""
    return (
        G("numpy", "dtype")
        + b"(U"
        + bytes([len(code)])
        + code
        + b"\x89\x88tR"
        + b"(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
    )


def _ndarray_call(dtype: bytes, offset: bytes) -> bytes:
    """The issue's reproduction: ``ndarray((4,), dtype, b'ABCDEFGH', offset)`` called directly."""
    return b"\x80\x02" + G("numpy", "ndarray") + b"((I4\nt" + dtype + b"C\x08ABCDEFGHI" + offset + b"\ntR."


ATTACKS = {
    # reads outside the buffer (it leaked the address of PyBytes_Type) and can write into other objects
    "negative_offset": (_ndarray_call(G("numpy", "dtype") + b"(U\x03<u8\x89\x88tR", b"-32"), "dtype '<u8'"),
    "negative_offset_genuine_dtype": (_ndarray_call(_genuine_dtype(b"u8"), b"-32"), "numpy.ndarray is called"),
    # 9 bytes: LONG_BINPUT 268,000,000 made the C unpickler grow its memo to ~5 GiB
    "huge_memo_index": (b"\x80\x02Nr" + (268_000_000).to_bytes(4, "little") + b".", "memo index 268,000,000"),
    # ndarray((250,000,000,), object): 2 GiB of object pointers from a 46-byte pickle
    "huge_object_array": (
        b"\x80\x02"
        + G("numpy", "ndarray")
        + b"(J"
        + (250_000_000).to_bytes(4, "little")
        + b"\x85"
        + G("numpy", "dtype")
        + b"U\x02O8\x85RtR.",
        "dtype 'O8'",
    ),
    # an array of four dtype('V1000000000') elements: 3.7 GiB from a 52-byte pickle
    "huge_void_dtype": (
        b"\x80\x02" + G("numpy", "ndarray") + b"(K\x04\x85" + G("numpy", "dtype") + b"U\x0bV1000000000\x85RtR.",
        "dtype 'V1000000000'",
    ),
    # the genuine _reconstruct/BUILD form claiming 10^9 float64 with 8 bytes of data
    "shape_larger_than_data": (
        b"\x80\x02"
        + G("numpy._core.multiarray", "_reconstruct")
        + G("numpy", "ndarray")
        + b"K\x00\x85C\x01b\x87R(K\x01J\x00\xca\x9a;\x85"
        + _genuine_dtype(b"f8")
        + b"\x89C\x08ABCDEFGHtb.",
        "needs 8,000,000,000 bytes of data, the pickle gives 8",
    ),
}

_ATTACK_CHILD = """
import json, resource, sys, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from helpers.data._unpickle import restricted_load
from helpers.data.errors import UnsafePickleError
results = {}
for name, hexblob in json.loads(sys.stdin.read()).items():
    tracemalloc.start()
    try:
        value = restricted_load(bytes.fromhex(hexblob), source="attack.pkl")
        out = {"outcome": "loaded", "value": repr(value)[:200]}
    except UnsafePickleError as exc:
        out = {"outcome": "refused", "message": str(exc)}
    except BaseException as exc:
        out = {"outcome": type(exc).__name__, "message": str(exc)[:300]}
    out["peak"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    results[name] = out
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def attack_outcomes():
    """Every attack, loaded in one subprocess limited to 1 GiB of address space: {name: outcome}."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _ATTACK_CHILD],
        cwd=data.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        input=json.dumps({k: b.hex() for k, (b, _) in ATTACKS.items()}),
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_is_refused_without_allocating(attack, attack_outcomes):
    out = attack_outcomes[attack]
    assert out["outcome"] == "refused", out
    reason = ATTACKS[attack][1]
    assert out["message"].startswith("attack.pkl: refused at byte ") and reason in out["message"], out["message"]
    assert "nothing in it was executed" in out["message"]
    assert out["peak"] < 1 << 20  # under 1 MiB: nothing was allocated on the pickle's behalf


# ------------------------------------------------------------------------------------------ other refusals
class _Evil:
    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return self.func, (self.arg,)


@pytest.mark.parametrize(
    "func, arg_template",
    [
        (os.system, "touch {marker}"),
        (eval, "open({marker!r}, 'w').close()"),
        (exec, "open({marker!r}, 'w').close()"),
    ],
)
@pytest.mark.parametrize("protocol", [0, 2, 4])
def test_other_globals_are_refused(tmp_path, func, arg_template, protocol):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"ANs": _Evil(func, arg_template.format(marker=str(marker)))}, protocol=protocol)
    with pytest.raises(
        UnsafePickleError,
        match=r"evil.pkl: .*refusing to load global "
        r"'(posix|nt|os|builtins|__builtin__)\.\w+'",
    ):
        restricted_load(payload, source="evil.pkl")
    assert not marker.exists()


@pytest.mark.parametrize(
    "what, value, reason",
    [
        ("object array", np.array([1, "a", None], dtype=object), "dtype 'O8'"),
        ("unicode array", np.array(["ab", "c"]), "dtype 'U2'"),
        ("bytes array", np.array([b"ab"]), "dtype 'S2'"),
        ("structured array", np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]), "dtype 'V12'"),
        ("datetime array", np.array(["2020-01-01"], dtype="datetime64[D]"), "dtype 'M8'"),
        ("numpy scalar", np.float64(1.0), "refusing to load global 'numpy._core.multiarray.scalar'"),
        ("masked array", np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "refusing to load global 'numpy.ma.core"),
        ("a set", {1, 2}, "opcode EMPTY_SET"),
    ],
)
def test_genuine_pickles_of_other_things_are_refused(what, value, reason):
    with pytest.raises(UnsafePickleError, match="refused at byte") as err:
        restricted_load(pickle.dumps({"x": value}, protocol=4), source="other.pkl")
    assert reason in str(err.value), str(err.value)


def test_protocol_5_out_of_band_buffers_are_refused():
    buffers = []
    blob = pickle.dumps(np.arange(10.0), protocol=5, buffer_callback=buffers.append)
    with pytest.raises(UnsafePickleError, match="opcode NEXT_BUFFER"):
        restricted_load(blob)


@pytest.mark.parametrize(
    "blob, reason",
    [
        (b"\x80\x02" + b"]" * 200_000 + b".", "needs more memory than a genuine numpy pickle of 200,003 bytes"),
        (b"\x80\x02N.extra", "5 trailing bytes after STOP"),
        (b"\x80\x02N", "the pickle ends without STOP"),
        (b"\x80\x02X\xff\xff\xff\x7fabc.", "malformed pickle"),
        (b"\x80\x02h\x05.", "memo index 5 was never stored"),
        (b"\x80\x02NN.", "STOP with 2 items on the stack"),
        (b"\x80\x02" + G("numpy", "ndarray") + b".", "the global numpy.ndarray is used as a value"),
        (b"\x80\x02" + G("numpy", "dtype") + b"U\x02f8\x89\x88\x87R.", "numpy dtype is used before its state was set"),
        (
            b"\x80\x02" + G("numpy", "dtype") + b"U\x02f8\x89\x88\x87R(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xff"
            b"K\x00tb.",
            "byte order '|' for dtype 'f8'",
        ),
        (
            b"\x80\x02"
            + G("numpy._core.multiarray", "_reconstruct")
            + G("numpy", "ndarray")
            + b"K\x07\x85C\x01b\x87R.",
            "called with (numpy.ndarray, (7), b'b')",
        ),
        (
            b"\x80\x02" + G("_codecs", "encode") + b"X\x01\x00\x00\x00aX\x05\x00\x00\x00utf-8\x86R.",
            "_codecs.encode called with ('a', 'utf-8')",
        ),
        (b"\x80\x02]N\x85b.", "BUILD on a list"),
        (b"\x80\x06N.", "PROTO 6"),
    ],
)
def test_malformed_or_hostile_pickles_are_refused(blob, reason):
    with pytest.raises(UnsafePickleError, match="hostile.pkl: refused at byte") as err:
        restricted_load(blob, source="hostile.pkl")
    assert reason in str(err.value), str(err.value)


def test_admitted_globals_are_exactly_numpys():
    assert NUMPY_ARRAY_GLOBALS == {
        "numpy.ndarray",
        "numpy.dtype",
        "numpy.core.multiarray._reconstruct",
        "numpy._core.multiarray._reconstruct",
        "numpy.core.numeric._frombuffer",
        "numpy._core.numeric._frombuffer",
        "_codecs.encode",
        "__builtin__.bytes",
        "builtins.bytes",
    }


def test_malicious_pickle_with_matching_hash_is_still_refused(tmp_path, monkeypatch, data_env, custom_registry):
    """Even if the registry were wrong (hash matches the evil file), the loader refuses."""
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Evil(os.system, f"touch {marker}"), protocol=2)
    mirror = tmp_path / "mirror"
    (mirror / PKL).parent.mkdir(parents=True)
    (mirror / PKL).write_bytes(payload)
    monkeypatch.setenv(data.MIRROR_ENV, str(mirror))
    custom_registry(files={PKL: {"sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload)}})
    with pytest.raises(UnsafePickleError, match=f"{mirror / PKL}: refused.*nothing in it was executed"):
        data.load_elpasolites()
    assert not marker.exists()
