"""An operation's http.requestUri, compiled once: '/{Bucket}/{Key+}?uploads' and the like.

Routing uses it to find the operation, the rest parser to read the labels back out.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_LABEL = re.compile(r"\{([^}]+)\}")


PREFIX_DEPTH = 2


def leading_literals(path: str) -> tuple[str, ...]:
    """'/2015-03-31/functions/{Name}' → ('2015-03-31', 'functions'); '/{Bucket}' → ()."""
    prefix: list[str] = []
    for segment in path.split("?", 1)[0].strip("/").split("/")[:PREFIX_DEPTH]:
        if not segment or "{" in segment:
            break
        prefix.append(segment)
    return tuple(prefix)


class UriTemplate:
    """Path labels match one segment ('{Name}') or, greedy, the rest ('{Key+}'); the query part
    lists literals a request must carry: 'acl' (present) or 'list-type=2' (with that value)."""

    def __init__(self, template: str) -> None:
        self.template = template
        path, _, query = template.partition("?")
        self.labels: list[str] = []
        pattern: list[str] = []
        literal = 0
        pieces = _LABEL.split(path.rstrip("/") or "/")
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                pattern.append(re.escape(piece))
                literal += len(piece.strip("/"))
            elif piece.endswith("+"):
                self.labels.append(piece[:-1])
                pattern.append("(.+)")
            else:
                self.labels.append(piece)
                pattern.append("([^/]+)")
        # A trailing slash is optional both ways: '/2015-03-31/functions/' also answers to
        # '/2015-03-31/functions', and '/{Bucket}' to '/bucket/'.
        self.regex = re.compile("".join(pattern).rstrip("/") + "/?")
        self.query: dict[str, str | None] = {}
        for part in filter(None, query.split("&")):
            key, equals, value = part.partition("=")
            self.query[key] = value if equals else None
        # The path's leading whole-literal segments (at most two): routing looks only at the
        # templates whose leading literals are the request's own.
        self.prefix = leading_literals(path)
        greedy = sum(piece.endswith("+") for piece in pieces[1::2])
        # Most specific first: required query literals, then literal path text, then fewer
        # greedy labels: '/{Bucket}?acl' over '/{Bucket}', '/fn/list' over '/fn/{Name}'.
        self.specificity = (len(self.query), literal, -greedy)

    def match(self, path: str, query: dict[str, list[str]]) -> dict[str, str] | None:
        """The decoded labels when the raw (percent-encoded) path and the query fit, else None."""
        for key, value in self.query.items():
            sent = query.get(key)
            if sent is None or (value is not None and value not in sent):
                return None
        found = self.regex.fullmatch(path)
        if found is None:
            return None
        # Labels are decoded only after matching, so an encoded '/' (%2F) stays in its segment.
        return {
            name: unquote(value) for name, value in zip(self.labels, found.groups(), strict=True)
        }
