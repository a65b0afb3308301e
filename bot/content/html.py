"""Parse text in Telegram's HTML parse mode the way the Bot API does.

Telegram refuses a message whose HTML it cannot parse ("can't parse entities"), and counts the
4,096-character limit on the text *after* the tags are removed. The emulator needs both, so that a
test that passes against it means the real API would have accepted the same message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Tags the Bot API accepts, mapped to the entity type they produce.
_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*?)?)\s*>")
_ATTR_RE = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")
_TEXT_RE = re.compile(r"[^<&]+")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message mirrors the Bot API's description."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    offset: int
    attrs: dict[str, str] = field(default_factory=dict)


def _entity(open_tag: _Open, end: int) -> dict[str, Any] | None:
    length = end - open_tag.offset
    if length <= 0:
        return None
    kind = _TAG_ENTITY[open_tag.tag]
    entity: dict[str, Any] = {"type": kind, "offset": open_tag.offset, "length": length}
    if kind == "text_link":
        entity["url"] = open_tag.attrs.get("href", "")
    if kind == "custom_emoji":
        entity["custom_emoji_id"] = open_tag.attrs.get("emoji-id", "")
    return entity


def _check_start_tag(tag: str, attrs: dict[str, str], at: int) -> None:
    if tag not in _TAG_ENTITY:
        raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {at}')
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
    if tag == "a" and not attrs.get("href"):
        raise HtmlParseError(f"Can't find href in tag a at byte offset {at}")


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text and the entities of ``source``, or raise :class:`HtmlParseError`."""
    text: list[str] = []
    length = 0  # UTF-16 length of the text so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    while pos < len(source):
        char = source[pos]
        if char == "<":
            match = _TAG_RE.match(source, pos)
            if match is None:
                raise HtmlParseError(f"Unclosed start tag at byte offset {pos}")
            closing, tag, raw_attrs = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not stack:
                    raise HtmlParseError(f"Unexpected end tag at byte offset {pos}")
                if stack[-1].tag != tag:
                    raise HtmlParseError(
                        f'Unmatched end tag at byte offset {pos}, expected "</{stack[-1].tag}>", '
                        f'found "</{tag}>"'
                    )
                entity = _entity(stack.pop(), length)
                if entity is not None:
                    entities.append(entity)
            else:
                attrs = {
                    m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                    for m in _ATTR_RE.finditer(raw_attrs)
                }
                _check_start_tag(tag, attrs, pos)
                stack.append(_Open(tag, length, attrs))
            pos = match.end()
            continue
        if char == "&":
            match = _ENTITY_RE.match(source, pos)
            if match is not None:
                name = match.group(1)
                if name.startswith("#x"):
                    decoded = chr(int(name[2:], 16))
                elif name.startswith("#"):
                    decoded = chr(int(name[1:]))
                elif name in _NAMED_ENTITIES:
                    decoded = _NAMED_ENTITIES[name]
                else:
                    decoded = match.group(0)  # unknown named entities stay as they are
                text.append(decoded)
                length += utf16_len(decoded)
                pos = match.end()
                continue
        # Plain text up to the next tag or entity, in one piece (a character at a time was most
        # of the emulator's work per reply).
        run = _TEXT_RE.match(source, pos)
        chunk = run.group(0) if run is not None else char  # a lone "&" that starts no entity
        text.append(chunk)
        length += utf16_len(chunk)
        pos += len(chunk)
    if stack:
        raise HtmlParseError(f"Can't find end tag corresponding to start tag {stack[-1].tag}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(text), entities
