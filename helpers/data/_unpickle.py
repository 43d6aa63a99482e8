"""A loader for pickles of numpy arrays that never lets the pickle call anything.

``pickle.load`` executes whatever callables a pickle names (``os.system``, ``builtins.eval``, ...). An
allow-list of globals is not enough either: the admitted ``numpy.ndarray`` alone can be called as
``ndarray(shape, dtype, buffer, offset)`` with a negative offset, which reads and writes outside the
buffer, and ``numpy.dtype`` / ``ndarray`` can be asked for gigabytes by a pickle of a few bytes. So
:func:`restricted_load` does not use :class:`pickle.Unpickler` at all. It reads the opcodes with
pickletools' argument readers and interprets them itself: the numpy globals are inert markers, and the only
numpy calls made are ``numpy.dtype(<validated code>)``, ``numpy.frombuffer`` on a buffer the pickle supplied
(of exactly the size the shape and dtype need), ``reshape``/``transpose`` and ``astype`` (a copy).

What is accepted (anything else raises :class:`~helpers.data.errors.UnsafePickleError` naming the file,
the byte offset and what was refused; nothing from the file is executed):

- **Protocols 0-5**, as written by ``pickle.dump`` of Python 2 or 3 with numpy 1.x or 2.x: a tree of
  ``dict``, ``list`` and ``tuple`` holding ``None``, ``bool``, ``int``, ``float``, ``str``, ``bytes``,
  ``bytearray`` and numpy arrays. Out-of-band buffers (protocol 5 ``buffer_callback``) are refused.
- **Globals** only ``numpy.ndarray``, ``numpy.dtype``, ``numpy[._]core.multiarray._reconstruct``,
  ``numpy[._]core.numeric._frombuffer`` (protocol 5), and ``_codecs.encode`` and ``bytes`` (how Python 3
  writes ``bytes`` at protocols 0-2), each used exactly as numpy's own ``__reduce__`` uses it:

  * ``_reconstruct(ndarray, (0,), b'b')`` followed by ``BUILD (1, shape, dtype, is_fortran, data)``;
  * ``_frombuffer(data, dtype, shape, order)`` with order ``'C'``/``'F'``, or ``'K'`` plus an axis order;
  * ``dtype(code, False, True)`` followed by ``BUILD (3, byteorder, None, None, None, -1, -1, 0)``;
  * ``_codecs.encode(text, 'latin1')`` and ``bytes()`` (the empty buffer of an empty array).

  As with :func:`pickle.load`, arrays come back writable and in native byte order, except at protocol 5,
  where they are views of the pickle's buffer (read-only if it was written as ``bytes``).

- **dtypes** only the plain numeric ones: ``b1``, ``i1 i2 i4 i8``, ``u1 u2 u4 u8``, ``f2 f4 f8``,
  ``c8 c16``, either byte order. Object, string, void (structured), datetime and ``longdouble`` dtypes are
  refused.
- **Sizes.** An array's data must be in the file and have exactly ``prod(shape) × itemsize`` bytes, at most
  64 dimensions. A new memo entry must take the next index, as every pickler numbers them, so a tiny file
  cannot make a huge memo. The loader keeps a
  running estimate of what it has allocated and refuses the file once it exceeds four times the file's size
  plus 1 MiB (a genuine array pickle needs about twice its size). No trailing bytes after ``STOP``.

Python 2 ``str`` objects (the raw buffers of arrays pickled under Python 2) are decoded as latin-1, which is
what numpy arrays need (``encoding="latin1"`` in :func:`pickle.load`).

The elpasolite source ``train_set.pkl`` is such a file: a Python 2, protocol-2 pickle of
``{"FEs": float64 array, "ANs": int32 array}`` using ``numpy.core.multiarray._reconstruct``,
``numpy.ndarray`` and ``numpy.dtype`` only (checked with ``pickletools.genops``).
"""

from __future__ import annotations

import codecs
import io
import math
import pickletools
import re
import sys
from typing import Any, BinaryIO

import numpy as np

from helpers.data.errors import UnsafePickleError

__all__: list[str] = []  # internal: helpers.data exposes the loaders, not this module

#: The globals a numpy-array pickle may name (``module.name``); each is an inert marker here.
NUMPY_ARRAY_GLOBALS = frozenset(
    {
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
)
_KIND = {  # global → what it stands for
    "numpy.ndarray": "ndarray",
    "numpy.dtype": "dtype",
    "numpy.core.multiarray._reconstruct": "reconstruct",
    "numpy._core.multiarray._reconstruct": "reconstruct",
    "numpy.core.numeric._frombuffer": "frombuffer",
    "numpy._core.numeric._frombuffer": "frombuffer",
    "_codecs.encode": "encode",
    "__builtin__.bytes": "bytes",
    "builtins.bytes": "bytes",
}
_DTYPE_CODE = re.compile(r"b1|[iu][1248]|f[248]|c(?:8|16)")
MAX_NDIM = 64
_SLACK = 1 << 20  # bytes the allocation budget allows on top of 4 × the file size
_OBJ = 64  # bytes charged for any small Python object a single opcode creates
_MEMO_ENTRY = 128  # bytes charged per memo entry (dict slot + key)

_OPCODES = {op.code.encode("latin-1"): op for op in pickletools.opcodes}
_CONSTANT = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}  # genops gives these no argument
_SIMPLE = {  # opcodes that push one value given by their argument
    "INT",
    "BININT",
    "BININT1",
    "BININT2",
    "LONG",
    "LONG1",
    "LONG4",
    "FLOAT",
    "BINFLOAT",
    "STRING",
    "BINSTRING",
    "SHORT_BINSTRING",
    "BINBYTES",
    "SHORT_BINBYTES",
    "BINBYTES8",
    "BYTEARRAY8",
    "UNICODE",
    "BINUNICODE",
    "SHORT_BINUNICODE",
    "BINUNICODE8",
}


class _Global:
    """An admitted global: a marker that is never called."""

    __slots__ = ("name", "kind")

    def __init__(self, name: str):
        self.name, self.kind = name, _KIND[name]


class _Pending:
    """The result of ``_reconstruct(...)`` or ``dtype(...)`` waiting for its ``BUILD`` state."""

    __slots__ = ("kind", "code", "value")

    def __init__(self, kind: str, code: str = ""):
        self.kind, self.code, self.value = kind, code, None


class _ArgTuple(tuple):
    """A tuple holding an admitted global: legal only as the arguments of ``REDUCE``."""

    __slots__ = ()


class _Machine:
    def __init__(self, data: bytes, source: str):
        self.data, self.source = data, source
        self.stack: list[Any] = []
        self.marks: list[int] = []
        self.memo: dict[int, Any] = {}
        self.budget = 4 * len(data) + _SLACK
        self.pos = 0

    # -------------------------------------------------------------------------------------- helpers
    def refuse(self, why: str) -> UnsafePickleError:
        return UnsafePickleError(
            f"{self.source}: refused at byte {self.pos}: {why}. This is not a plain pickle of numpy arrays "
            "(tampered or replaced?); nothing in it was executed."
        )

    def charge(self, nbytes: int) -> None:
        self.budget -= nbytes
        if self.budget < 0:
            raise self.refuse(
                f"it needs more memory than a genuine numpy pickle of {len(self.data):,} bytes would "
                f"(the limit is 4 × the file size + {_SLACK:,} bytes)"
            )

    def plain(self, x: Any, *, in_tuple: bool = False) -> Any:
        """``x`` as a value that may be stored in a container (or returned)."""
        if isinstance(x, _Pending):
            if x.value is None:
                raise self.refuse(f"a numpy {x.kind} is used before its state was set")
            return x.value
        if isinstance(x, _Global):
            if in_tuple:
                return x
            raise self.refuse(f"the global {x.name} is used as a value")
        if type(x) is _ArgTuple:
            raise self.refuse("a tuple holding a numpy global is used as a value")
        return x

    def pop_mark(self) -> list[Any]:
        if not self.marks:
            raise self.refuse("an opcode needs a MARK, but there is none")
        start = self.marks.pop()
        items = self.stack[start:]
        del self.stack[start:]
        return items

    def pop(self, n: int = 1) -> list[Any]:
        floor = self.marks[-1] if self.marks else 0
        if len(self.stack) - floor < n:
            raise self.refuse("stack underflow")
        items = self.stack[len(self.stack) - n :]
        del self.stack[len(self.stack) - n :]
        return items

    def make_tuple(self, items: list[Any]) -> tuple:
        vals = [self.plain(x, in_tuple=True) for x in items]
        self.charge(_OBJ + 8 * len(vals))
        return _ArgTuple(vals) if any(isinstance(v, _Global) for v in vals) else tuple(vals)

    def put(self, index: int) -> None:
        if not self.stack or (self.marks and len(self.stack) == self.marks[-1]):
            raise self.refuse("memo PUT with nothing on the stack")
        if not 0 <= index <= len(self.memo):
            raise self.refuse(
                f"memo index {index:,} skips ahead of the {len(self.memo):,} entries stored "
                "(a pickler numbers them consecutively)"
            )
        if index == len(self.memo):
            self.charge(_MEMO_ENTRY)
        self.memo[index] = self.stack[-1]

    def get(self, index: int) -> None:
        if index not in self.memo:
            raise self.refuse(f"memo index {index:,} was never stored")
        x = self.memo[index]
        self.stack.append(x.value if isinstance(x, _Pending) and x.value is not None else x)

    # --------------------------------------------------------------------------------- numpy objects
    def dtype(self, code: str, byteorder: str) -> np.dtype:
        single = code in ("b1", "i1", "u1")
        if byteorder not in (("|",) if single else ("<", ">")):
            raise self.refuse(f"byte order {byteorder!r} for dtype {code!r}")
        return np.dtype(code if single else byteorder + code)

    def array(
        self, shape: Any, dtype: Any, raw: Any, order: str, axis_order: Any = None, *, from_buffer: bool = False
    ) -> np.ndarray:
        """The array numpy would build: a view of the buffer for ``_frombuffer`` (protocol 5), else a copy in
        native byte order (what ``ndarray.__setstate__`` makes)."""
        if not (
            type(shape) is tuple
            and len(shape) <= MAX_NDIM
            and all(type(d) is int and 0 <= d <= sys.maxsize for d in shape)
        ):
            raise self.refuse(f"array shape {_shape_of(shape)} (expected a tuple of at most {MAX_NDIM} sizes ≥ 0)")
        if not isinstance(dtype, np.dtype):
            raise self.refuse(f"array dtype {_shape_of(dtype)} (expected a numpy dtype from this pickle)")
        if isinstance(raw, str) and not from_buffer:  # a Python 2 str, decoded as latin-1 by the reader
            try:
                raw = raw.encode("latin1")
            except UnicodeEncodeError:
                raise self.refuse("array data: text with characters beyond latin-1") from None
            self.charge(len(raw))
        if type(raw) not in (bytes, bytearray):
            raise self.refuse(f"array data of type {type(raw).__name__} (expected bytes)")
        n = math.prod(shape)
        if n * dtype.itemsize != len(raw):
            raise self.refuse(
                f"array of shape {shape} and dtype {dtype} needs {n * dtype.itemsize:,} bytes of "
                f"data, the pickle gives {len(raw):,}"
            )
        self.charge(_OBJ if from_buffer else len(raw) + _OBJ)
        try:
            arr = np.frombuffer(raw, dtype=dtype).reshape(shape, order=order)
            if axis_order is not None:
                arr = arr.transpose(axis_order)
            if not from_buffer:
                arr = arr.astype(dtype.newbyteorder("="), order="K", copy=True)
        except (ValueError, OverflowError, TypeError) as exc:
            raise self.refuse(f"array of shape {shape}: {exc}") from None
        return arr

    def reduce(self, func: Any, args: Any) -> Any:
        if not isinstance(func, _Global):
            raise self.refuse(f"REDUCE calls a {type(func).__name__}, not an admitted numpy global")
        if not isinstance(args, tuple):
            raise self.refuse(f"REDUCE arguments are a {type(args).__name__}, not a tuple")
        kind = func.kind
        if kind == "reconstruct":
            ok = (
                len(args) == 3
                and isinstance(args[0], _Global)
                and args[0].kind == "ndarray"
                and type(args[1]) is tuple
                and len(args[1]) == 1
                and type(args[1][0]) is int
                and args[1][0] == 0
                and type(args[2]) in (bytes, str)
                and args[2] in (b"b", "b")
            )
            if not ok:
                raise self.refuse(f"{func.name} called with {_shape_of(args)}; numpy writes (ndarray, (0,), b'b')")
            self.charge(_OBJ)
            return _Pending("array")
        if kind == "dtype":
            ok = (
                len(args) == 3
                and type(args[0]) is str
                and _DTYPE_CODE.fullmatch(args[0])
                and type(args[1]) in (bool, int)
                and args[1] == 0
                and type(args[2]) in (bool, int)
                and args[2] == 1
            )
            if not ok:
                what = f"dtype {args[0]!r}" if args and isinstance(args[0], str) else _shape_of(args)
                raise self.refuse(
                    f"numpy.dtype called with {what:.80}; only the plain numeric dtypes "
                    "b1, i1-i8, u1-u8, f2-f8, c8, c16 are admitted (no object, string, void or "
                    "datetime dtypes)"
                )
            self.charge(_OBJ)
            return _Pending("dtype", args[0])
        if kind == "encode":
            if not (
                len(args) == 2 and type(args[0]) is str and type(args[1]) is str and args[1] in ("latin1", "latin-1")
            ):
                raise self.refuse(f"_codecs.encode called with {_shape_of(args)}; expected (str, 'latin1')")
            try:
                out = args[0].encode("latin1")
            except UnicodeEncodeError:
                raise self.refuse("_codecs.encode: text with characters beyond latin-1") from None
            self.charge(len(out) + _OBJ)
            return out
        if kind == "bytes":  # how Python 3 writes b"" at protocols 0-2
            if args != ():
                raise self.refuse(f"{func.name} called with {_shape_of(args)}; expected ()")
            return b""
        if kind == "frombuffer":
            order = args[3] if len(args) in (4, 5) and type(args[3]) is str else None
            if len(args) == 4 and order in ("C", "F"):
                buf, dtype, shape, order = args
                return self.array(shape, dtype, buf, order, from_buffer=True)
            if len(args) == 5 and order == "K":
                buf, dtype, shape, _, axes = args
                if not (
                    type(shape) is tuple
                    and type(axes) is tuple
                    and all(type(a) is int for a in axes)
                    and sorted(axes) == list(range(len(shape)))
                ):
                    raise self.refuse(f"{func.name}: axis order {axes!r:.80} is not a permutation of the axes")
                return self.array(shape, dtype, buf, "C", axes, from_buffer=True)
            raise self.refuse(f"{func.name} called with {_shape_of(args)}; numpy writes (data, dtype, shape, order)")
        raise self.refuse(f"{func.name} is called; numpy pickles only pass it to _reconstruct")

    def build(self, obj: Any, state: Any) -> Any:
        if not isinstance(obj, _Pending) or obj.value is not None:
            raise self.refuse(f"BUILD on a {type(obj).__name__}; only a new numpy array or dtype takes a state")
        if obj.kind == "dtype":
            ok = (
                type(state) is tuple
                and len(state) == 8
                and type(state[0]) is int
                and state[0] == 3
                and type(state[1]) is str
                and all(v is None for v in state[2:5])
                and all(type(v) is int for v in state[5:])
                and state[5:] == (-1, -1, 0)
            )
            if not ok:
                raise self.refuse(
                    f"dtype state {_shape_of(state)}; numpy writes (3, byteorder, None, None, None, "
                    "-1, -1, 0) for a plain numeric dtype"
                )
            obj.value = self.dtype(obj.code, state[1])
        else:
            ok = (
                type(state) is tuple
                and len(state) == 5
                and type(state[0]) is int
                and state[0] == 1
                and type(state[3]) in (bool, int)
                and state[3] in (0, 1)
            )
            if not ok:
                raise self.refuse(f"array state {_shape_of(state)}; numpy writes (1, shape, dtype, is_fortran, data)")
            _, shape, dtype, fortran, raw = state
            obj.value = self.array(shape, dtype, raw, "F" if fortran else "C")
        return obj.value

    # ------------------------------------------------------------------------------------------ run
    def run(self) -> Any:
        try:
            return self._run()
        except (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError, RecursionError) as exc:
            # a safety net: every expected violation is refused explicitly above
            raise self.refuse(f"malformed pickle ({type(exc).__name__}: {str(exc):.200})") from None

    def _ops(self):
        """(opcode, argument, position) of each opcode, read with pickletools' argument readers (what
        ``pickletools.genops`` does, except that a Python 2 ``STRING`` is decoded as latin-1, like pickle)."""
        f = io.BytesIO(self.data)
        while True:
            pos = f.tell()
            code = f.read(1)
            if not code:
                raise self.refuse("the pickle ends without STOP")
            op = _OPCODES.get(code)
            if op is None:
                raise self.refuse(f"unknown opcode {code!r}")
            try:
                if op.name == "STRING":
                    arg = codecs.escape_decode(pickletools.read_stringnl(f, decode=False))[0].decode("latin-1")
                else:
                    arg = op.arg.reader(f) if op.arg is not None else None
            except ValueError as exc:  # truncated or malformed opcode argument
                self.pos = pos
                raise self.refuse(f"malformed pickle ({exc})") from None
            yield op, arg, pos

    def _run(self) -> Any:
        for k, (op, arg, pos) in enumerate(self._ops()):
            self.pos = pos
            if op.name == "STOP":
                return self.stop()
            if op.name == "PROTO" and (k != 0 or not 2 <= arg <= 5):
                raise self.refuse(f"PROTO {arg} (expected protocol 2-5 as the first opcode)")
            handler = _DISPATCH.get(op.name)
            if handler is None:
                raise self.refuse(
                    f"opcode {op.name} ({op.doc.splitlines()[0].rstrip('.')}) is not used by pickles of numpy arrays"
                )
            handler(self, op.name, arg)

    # -- one handler per kind of opcode, ``(self, name, arg)``, dispatched by :data:`_DISPATCH` (as pickle.py)
    def _op_nothing(self, name: str, arg: Any) -> None:  # PROTO (checked in _run), FRAME
        pass

    def _op_constant(self, name: str, arg: Any) -> None:
        self.charge(8)
        self.stack.append(_CONSTANT[name])

    def _op_simple(self, name: str, arg: Any) -> None:
        self.charge(8 + sys.getsizeof(arg))
        self.stack.append(arg)

    def _op_mark(self, name: str, arg: Any) -> None:
        self.charge(8)
        self.marks.append(len(self.stack))

    def _op_pop(self, name: str, arg: Any) -> None:
        if self.marks and len(self.stack) == self.marks[-1]:
            self.marks.pop()
        else:
            self.pop()

    def _op_pop_mark(self, name: str, arg: Any) -> None:
        self.pop_mark()

    def _op_dup(self, name: str, arg: Any) -> None:
        self.charge(8)
        self.stack.append(self.pop()[0])
        self.stack.append(self.stack[-1])

    def _op_tuple(self, name: str, arg: Any) -> None:
        if name == "EMPTY_TUPLE":
            self.stack.append(())
        elif name == "TUPLE":
            self.stack.append(self.make_tuple(self.pop_mark()))
        else:  # TUPLE1, TUPLE2, TUPLE3
            self.stack.append(self.make_tuple(self.pop(int(name[-1]))))

    def _op_list(self, name: str, arg: Any) -> None:
        if name == "EMPTY_LIST":
            self.charge(_OBJ)
            self.stack.append([])
            return
        items = [self.plain(x) for x in self.pop_mark()]
        self.charge(_OBJ + 8 * len(items))
        self.stack.append(items)

    def _op_append(self, name: str, arg: Any) -> None:
        items = [self.plain(x) for x in (self.pop() if name == "APPEND" else self.pop_mark())]
        target = self.pop()[0]
        if type(target) is not list:
            raise self.refuse(f"{name} to a {type(target).__name__}")
        self.charge(8 * len(items))
        target.extend(items)
        self.stack.append(target)

    def _op_dict(self, name: str, arg: Any) -> None:
        if name == "EMPTY_DICT":
            self.charge(_OBJ)
            self.stack.append({})
            return
        items = [self.plain(x) for x in (self.pop(2) if name == "SETITEM" else self.pop_mark())]
        if len(items) % 2:
            raise self.refuse(f"{name} with an odd number of items")
        if name == "DICT":
            target: Any = {}
        else:
            target = self.pop()[0]
            if type(target) is not dict:
                raise self.refuse(f"{name} on a {type(target).__name__}")
        self.charge(_OBJ + 48 * len(items))
        try:
            for k, v in zip(items[::2], items[1::2], strict=True):
                target[k] = v
        except TypeError:
            raise self.refuse("an unhashable dict key") from None
        self.stack.append(target)

    def _op_put(self, name: str, arg: Any) -> None:
        self.put(len(self.memo) if name == "MEMOIZE" else arg)

    def _op_get(self, name: str, arg: Any) -> None:
        self.charge(8)
        self.get(arg)

    def _op_global(self, name: str, arg: Any) -> None:
        if name == "GLOBAL":
            module, _, attr = arg.partition(" ")
        else:
            module, attr = self.pop(2)
            if not (isinstance(module, str) and isinstance(attr, str)):
                raise self.refuse("STACK_GLOBAL with a module or name that is not a string")
        full = f"{module}.{attr}"
        if full not in NUMPY_ARRAY_GLOBALS:
            raise self.refuse(
                f"refusing to load global '{full:.200}'; this pickle may refer only to "
                + ", ".join(sorted(NUMPY_ARRAY_GLOBALS))
            )
        self.charge(_OBJ)
        self.stack.append(_Global(full))

    def _op_reduce(self, name: str, arg: Any) -> None:
        func, args = self.pop(2)
        self.stack.append(self.reduce(func, args))

    def _op_build(self, name: str, arg: Any) -> None:
        state = self.plain(self.pop()[0])
        obj = self.pop()[0]
        self.stack.append(self.build(obj, state))

    def stop(self) -> Any:
        if self.marks or len(self.stack) != 1:
            raise self.refuse(f"STOP with {len(self.stack)} items on the stack and {len(self.marks)} open MARKs")
        if self.pos + 1 != len(self.data):
            raise self.refuse(f"{len(self.data) - self.pos - 1:,} trailing bytes after STOP")
        return self.plain(self.stack[0])


#: Opcode name → handler of :class:`_Machine`; any opcode not listed is refused.
_DISPATCH = {
    "PROTO": _Machine._op_nothing,
    "FRAME": _Machine._op_nothing,
    **dict.fromkeys(_CONSTANT, _Machine._op_constant),
    **dict.fromkeys(_SIMPLE, _Machine._op_simple),
    "MARK": _Machine._op_mark,
    "POP": _Machine._op_pop,
    "POP_MARK": _Machine._op_pop_mark,
    "DUP": _Machine._op_dup,
    **dict.fromkeys(("EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3"), _Machine._op_tuple),
    **dict.fromkeys(("EMPTY_LIST", "LIST"), _Machine._op_list),
    **dict.fromkeys(("APPEND", "APPENDS"), _Machine._op_append),
    **dict.fromkeys(("EMPTY_DICT", "DICT", "SETITEM", "SETITEMS"), _Machine._op_dict),
    **dict.fromkeys(("PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"), _Machine._op_put),
    **dict.fromkeys(("GET", "BINGET", "LONG_BINGET"), _Machine._op_get),
    **dict.fromkeys(("GLOBAL", "STACK_GLOBAL"), _Machine._op_global),
    "REDUCE": _Machine._op_reduce,
    "BUILD": _Machine._op_build,
}


def _shape_of(x: Any) -> str:
    """A short, safe description of a pickle-supplied argument (no huge reprs in messages)."""
    if isinstance(x, tuple):
        return "(" + ", ".join(_shape_of(v) for v in x[:6]) + (", …" if len(x) > 6 else "") + ")"
    if isinstance(x, _Global):
        return x.name
    if isinstance(x, _Pending):
        return f"<numpy {x.kind}>"
    if isinstance(x, (str, bytes, bytearray)):
        return repr(x[:20]) + ("…" if len(x) > 20 else "")
    if isinstance(x, int) and x.bit_length() > 64:
        return f"<{x.bit_length()}-bit int>"
    if isinstance(x, (int, float, bool)) or x is None:
        r = repr(x)
        return r if len(r) <= 24 else r[:20] + "…"
    return type(x).__name__


def restricted_load(data: bytes | bytearray | BinaryIO, *, source: str = "<pickle>") -> Any:
    """Load a pickle of numpy arrays (see the module docstring for exactly what is accepted).

    Parameters
    ----------
    data : the pickle's bytes, or a binary file (read to the end).
    source : how to name the file in error messages (a path).

    Raises
    ------
    UnsafePickleError
        the pickle names any other global, uses an admitted one differently from numpy's own pickles, asks
        for an object/string/void dtype, for more memory than its size justifies, or is malformed. The
        message names ``source``, the byte offset and what was refused.
    """
    blob = bytes(data) if isinstance(data, (bytes, bytearray, memoryview)) else data.read()
    return _Machine(blob, source).run()
