from typing import Any

from hypothesis import strategies as st

_INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
_SCALARS = (
    st.none()
    | st.booleans()
    | _INT64
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)


def json_values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )


safe_keys = st.text(
    alphabet=st.characters(exclude_characters="$.\x00", exclude_categories=["Cs"]),
    min_size=1,
    max_size=12,
)
any_keys = st.text(max_size=12)
safe_metadata = st.dictionaries(safe_keys, json_values(safe_keys), max_size=5)
any_metadata = st.dictionaries(any_keys, json_values(any_keys), max_size=5)
