"""Hypothesis strategies for every wire type, derived from the types themselves (msgspec.inspect).

Deriving them from the types means a field added later is covered without
editing the tests: "the whole value space" is whatever the type admits.
"""

from typing import Any

import msgspec
import msgspec.inspect as mi
from hypothesis import strategies as st

INT64 = (-(2**63), 2**63 - 1)


def strategy(typ: Any, *, finite: bool = False, nan: bool = False) -> st.SearchStrategy[Any]:
    """Values of ``typ`` (a wire type); ``finite`` for JSON (which has no inf/nan), ``nan`` to allow NaN."""
    return _for(mi.type_info(typ), finite=finite, nan=nan)


def _for(t: mi.Type, *, finite: bool, nan: bool) -> st.SearchStrategy[Any]:
    def again(u: mi.Type) -> st.SearchStrategy[Any]:
        return _for(u, finite=finite, nan=nan)

    if isinstance(t, mi.Metadata):
        return again(t.type)
    if isinstance(t, mi.FloatType):
        return st.floats(allow_nan=nan and not finite, allow_infinity=not finite)
    if isinstance(t, mi.IntType):
        low = t.ge if t.ge is not None else INT64[0]
        high = t.le if t.le is not None else INT64[1]
        return st.integers(low, high)
    if isinstance(t, mi.BoolType):
        return st.booleans()
    if isinstance(t, mi.StrType):
        return st.text(max_size=80)
    if isinstance(t, mi.BytesType):
        return st.binary(max_size=80)
    if isinstance(t, mi.NoneType):
        return st.none()
    if isinstance(t, mi.EnumType):
        return st.sampled_from(list(t.cls))
    if isinstance(t, mi.TupleType):
        return st.tuples(*(again(u) for u in t.item_types))
    if isinstance(t, mi.VarTupleType):
        size = {"min_size": t.min_length or 0, "max_size": t.max_length if t.max_length is not None else 8}
        return st.lists(again(t.item_type), **size).map(tuple)
    if isinstance(t, mi.DictType):
        return st.dictionaries(again(t.key_type), again(t.value_type), max_size=6)
    if isinstance(t, mi.UnionType):
        return st.one_of(*(again(u) for u in t.types))
    if isinstance(t, mi.StructType):
        fields = {}
        for f in t.fields:
            value = again(f.type)
            if not f.required:  # either the default (omitted on the wire) or any value
                default = f.default if f.default is not msgspec.NODEFAULT else f.default_factory()
                value = st.one_of(st.just(default), value)
            fields[f.name] = value
        return st.fixed_dictionaries(fields).map(lambda kw, cls=t.cls: cls(**kw))
    raise TypeError(f"no strategy for {t!r}")
