"""The YAML document builder gives what PyYAML's constructor gives, for any document."""

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from costwarden.errors import LoadError
from costwarden.loaders.yaml_docs import _Loader, read_documents

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["yes", "no", "on", "0x1f", "0o17", "1_000", "2026-12-03", "2026-12-03T10:00:00Z", "~", "1e3"]),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6) | st.integers(0, 9), inner, max_size=4)
    ),
    max_leaves=25,
)


def standard(text: str) -> list:
    loader = _Loader(text)
    documents = []
    try:
        while loader.check_node():
            node = loader.get_node()
            loader.duplicates = []
            documents.append((loader.construct_document(node), tuple(loader.duplicates)))
    finally:
        loader.dispose()
    return [(data, duplicates) for data, duplicates in documents if data is not None]


def built(text: str) -> list:
    return [(document.data, document.duplicates) for document in read_documents("x.yaml", text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(DATA, min_size=1, max_size=3), st.booleans())
def test_documents_are_built_as_pyyaml_builds_them(documents, flow):
    text = yaml.safe_dump_all(documents, default_flow_style=flow, allow_unicode=True)
    # the data as PyYAML builds it; a key given twice is one that builds equal (1 and '1' are two keys)
    assert [data for data, _ in built(text)] == [data for data, _ in standard(text)]
    assert all(duplicates == () for _, duplicates in built(text))


CASES = [
    "a: 1\nb: {c: [1, 2.5, true, null, '3']}\n",
    "a: 1\na: 2\nb: 3\nb: 4\nb: 5\n",  # keys given twice, three times
    "base: &b {x: 1}\nuse: *b\nmerged:\n  <<: *b\n  y: 2\n",  # anchors, aliases, a merge key
    "<<: {x: 1}\ny: 2\n",  # a merge key without an anchor
    "Value: !Ref Bucket\nName: !Sub '${AWS::StackName}-x'\nAz: !GetAtt A.B\n",  # CloudFormation tags
    "? [a, b]\n: 1\n",  # a sequence as a key
    "when: 2026-12-03\nat: 2026-12-03 10:00:00\n",
    "---\na: 1\n---\n---\nb: [x, y]\n",
]


def test_each_shape_is_built_as_pyyaml_builds_it():
    for text in CASES:
        try:
            expected = standard(text)
        except yaml.YAMLError:
            expected = "error"
        try:
            got = built(text)
        except LoadError:
            got = "error"
        assert got == expected, text


def test_a_key_given_twice_names_both_lines():
    [document] = read_documents("x.yaml", "a: 1\nb: 2\na: 3\n")
    assert document.data == {"a": 3, "b": 2} and document.duplicates == (("a", 1, 3),)


def test_not_a_number_is_refused_with_its_line():
    try:
        list(read_documents("x.yaml", "a: 1\nb: .nan\n"))
    except LoadError as exc:
        assert exc.line == 2 and "not a number" in exc.message
    else:
        raise AssertionError("NaN was read")
