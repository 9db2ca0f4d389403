"""Records' YAML trees built and read directly: a record holds only mappings with string keys,
sequences, strings, integers, booleans and nulls. PyYAML's representer and constructor dispatch
on every value in Python and took about half of writing and reading a record back; these two
functions make and read the same nodes (``yaml.serialize`` and ``yaml.compose``, PyYAML's public
API, do the rest in libyaml). Anything else raises ``NotPlain`` and the caller lets PyYAML decide,
with its own errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import yaml
from yaml.constructor import SafeConstructor

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"

# An integer the safe constructor reads as int(text): no 0x / 0o / 0b, leading zero, _ or 1:30
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")


class NotPlain(Exception):
    """A value or node outside what records hold: PyYAML's own representer or constructor decides."""


def node_of(value, str_style: Callable[[str], str | None]) -> yaml.Node:
    """The node ``yaml.dump(value, default_flow_style=False, sort_keys=False)`` represents ``value``
    by, each string in the style ``str_style`` gives it."""
    kind = type(value)
    if kind is str:
        return yaml.ScalarNode(STR_TAG, value, style=str_style(value))
    if kind is dict:
        return yaml.MappingNode(
            MAP_TAG,
            [(node_of(k, str_style), node_of(v, str_style)) for k, v in value.items()],
            flow_style=False,
        )
    if kind is list:
        return yaml.SequenceNode(SEQ_TAG, [node_of(item, str_style) for item in value], flow_style=False)
    if kind is bool:
        return yaml.ScalarNode(BOOL_TAG, "true" if value else "false")
    if kind is int:
        return yaml.ScalarNode(INT_TAG, str(value))
    if value is None:
        return yaml.ScalarNode(NULL_TAG, "null")
    raise NotPlain(kind.__name__)


def value_of(node: yaml.Node | None, int_digits_max: int):
    """The value the safe constructor builds from ``node``. A key given twice, an integer longer
    than ``int_digits_max`` digits or in another notation, any other tag: NotPlain."""
    if node is None:  # an empty document
        return None
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag == STR_TAG:
            return node.value
        if tag == INT_TAG and len(node.value) <= int_digits_max and _DECIMAL.fullmatch(node.value):
            return int(node.value)
        if tag == NULL_TAG:
            return None
        if tag == BOOL_TAG and node.value.lower() in SafeConstructor.bool_values:
            return SafeConstructor.bool_values[node.value.lower()]
    elif isinstance(node, yaml.MappingNode) and tag == MAP_TAG:
        mapping = {}
        for key_node, value_node in node.value:
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag != STR_TAG
                or key_node.value in mapping
            ):
                raise NotPlain("key")  # a merge key, a key of another kind, or one given twice
            mapping[key_node.value] = value_of(value_node, int_digits_max)
        return mapping
    elif isinstance(node, yaml.SequenceNode) and tag == SEQ_TAG:
        return [value_of(item, int_digits_max) for item in node.value]
    raise NotPlain(tag)
