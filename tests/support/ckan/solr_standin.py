"""An in-memory stand-in for the part of Apache Solr's HTTP API that CKAN 2.11 uses.

Solr (a Java server) cannot be installed on the test machines, so this is the one non-real part of
the CKAN test server (tests/support/ckan_server.py). It covers exactly the calls CKAN makes, as
read in CKAN's `ckan/lib/search/` (`common.py`, `index.py`, `query.py`, `__init__.py`) and pysolr:

- `GET <core>/schema?wt=schema.xml`: the startup schema-version check. The stand-in serves the
  `schema.xml` it was given, i.e. CKAN's own `ckan/config/solr/schema.xml` from the CKAN venv.
- `POST <core>/update/` with a JSON list of documents (pysolr's `add`): replaces documents by the
  schema's uniqueKey (`index_id`); copyField rules of the schema are applied (so `text` gets the
  name, title, notes, tags, extras, ...), `indexed_ts` gets its default NOW.
- `POST <core>/update/` with XML `<delete><id>..</id></delete>`, `<delete><query>..</query></delete>`,
  `<commit/>` and `<optimize/>`.
- `GET|POST <core>/select/` (pysolr's `search`, a POST form for long queries): `q`, `fq` (repeated),
  `rows`, `start`, `fl`, `sort`, `defType=dismax` with `qf`, `df`, `facet`, `facet.field`,
  `facet.limit`, `facet.mincount`, `wt=json`.
- `GET <core>/admin/ping`.

What it understands of the Lucene query syntax: `*:*`, `field:value`, `field:"a phrase"`,
`field:*`, `field:(a OR b)`, `field:[lo TO hi]` (string comparison, `*` open), trailing `*`
wildcards, bare terms (searched in `qf` fields for dismax, else in `df`), `+` / `-` / `NOT`
prefixes, `AND`, `OR` and parentheses. Terms not joined by OR are all required (CKAN sends
`q.op=AND`); OR binds loosest. Fields of a text type in the schema match case-insensitively, word by
word (a phrase must appear as consecutive words); other fields match the exact string.

What it does NOT do (the honest part): no relevance scoring (`score` sorts as a constant, results
keep insertion order otherwise), no stemming, stop words or n-grams, no soft/hard commit
distinction (an update is visible at once), no persistence (the index lives as long as the object),
no date maths, highlighting, grouping, stats or XML `<add>` documents (answered with a Solr-style
400 error). Only fields the schema marks `stored="true"` come back in results, as in Solr.
"""

from __future__ import annotations

import fnmatch
import json
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.net import serve_in_thread, stop_serving

Doc = dict[str, Any]
TEXT_TYPES = ("text", "text_general", "text_ngram")


class QueryError(ValueError):
    """A query the stand-in cannot parse: answered as Solr's 400 `org.apache.solr.search.SyntaxError`."""


# --- the schema ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDef:
    type: str
    stored: bool
    multi: bool


@dataclass
class Schema:
    xml: str
    unique_key: str
    fields: dict[str, FieldDef]
    dynamic: list[tuple[str, FieldDef]]
    copy: list[tuple[str, str]]

    @classmethod
    def parse(cls, text: str) -> Schema:
        root = ET.fromstring(text)

        def define(el: ET.Element) -> FieldDef:
            return FieldDef(
                el.get("type", "string"), el.get("stored", "true") == "true", el.get("multiValued") == "true"
            )

        key = root.find("uniqueKey")
        return cls(
            xml=text,
            unique_key=(key.text or "id").strip() if key is not None else "id",
            fields={el.get("name", ""): define(el) for el in root.iter("field")},
            dynamic=[(el.get("name", ""), define(el)) for el in root.iter("dynamicField")],
            copy=[(el.get("source", ""), el.get("dest", "")) for el in root.iter("copyField")],
        )

    def field(self, name: str) -> FieldDef:
        if name in self.fields:
            return self.fields[name]
        for pattern, definition in sorted(self.dynamic, key=lambda pd: -len(pd[0])):  # longest first, as Solr
            if fnmatch.fnmatchcase(name, pattern):
                return definition
        return FieldDef("string", False, False)

    def is_text(self, name: str) -> bool:
        return self.field(name).type in TEXT_TYPES


# --- values and matching --------------------------------------------------------------------------


def _values(doc: Doc, name: str) -> list[str]:
    value = doc.get(name)
    items = value if isinstance(value, list) else [] if value is None else [value]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in items]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _phrase_in(needle: list[str], hay: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


class Node:
    def matches(self, doc: Doc, schema: Schema) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass
class MatchAll(Node):
    def matches(self, doc: Doc, schema: Schema) -> bool:
        return True


@dataclass
class Term(Node):
    fields: tuple[str, ...]
    value: str
    wildcard: bool = False

    def matches(self, doc: Doc, schema: Schema) -> bool:
        return any(self._one(doc, schema, name) for name in self.fields)

    def _one(self, doc: Doc, schema: Schema, name: str) -> bool:
        values = _values(doc, name)
        if self.wildcard:
            if self.value == "*":
                return bool(values)
            text = schema.is_text(name)
            pattern = self.value.lower() if text else self.value
            cands = [w for v in values for w in _words(v)] if text else values
            return any(fnmatch.fnmatchcase(c, pattern) for c in cands)
        if schema.is_text(name):
            needle = _words(self.value)
            return any(_phrase_in(needle, _words(v)) for v in values)
        return self.value in values


@dataclass
class Range(Node):
    name: str
    low: str
    high: str

    def matches(self, doc: Doc, schema: Schema) -> bool:
        return any(
            (self.low == "*" or v >= self.low) and (self.high == "*" or v <= self.high)
            for v in _values(doc, self.name)
        )


@dataclass
class Bool(Node):
    """OR of AND-groups; each group holds (required?, node) pairs, False meaning prohibited."""

    groups: list[list[tuple[bool, Node]]] = field(default_factory=list)

    def matches(self, doc: Doc, schema: Schema) -> bool:
        return any(
            all(node.matches(doc, schema) == required for required, node in group)
            for group in self.groups
            if group
        )


# --- the query parser ------------------------------------------------------------------------------

_FIELD = re.compile(r"([A-Za-z_][\w.\-]*):")
_STOP = set(" \t\r\n()")


class _Parser:
    def __init__(self, text: str, default_fields: tuple[str, ...]) -> None:
        self.s, self.i, self.default = text, 0, default_fields

    def parse(self) -> Node:
        node = self.expr(self.default)
        self.ws()
        if self.i < len(self.s):
            raise QueryError(f"Cannot parse '{self.s}': unexpected {self.s[self.i]!r} at {self.i}")
        return node

    def ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def keyword(self, *words: str) -> bool:
        for word in words:
            end = self.i + len(word)
            if self.s.startswith(word, self.i) and (end == len(self.s) or self.s[end] in _STOP):
                self.i = end
                return True
        return False

    def expr(self, fields: tuple[str, ...]) -> Node:
        result = Bool([[]])
        while True:
            self.ws()
            if self.i >= len(self.s) or self.s[self.i] == ")":
                break
            if self.keyword("OR", "||"):
                result.groups.append([])
                continue
            if self.keyword("AND", "&&"):
                continue
            required = True
            if self.keyword("NOT"):
                required = False
                self.ws()
            elif self.s[self.i] in "-!":
                required = False
                self.i += 1
            elif self.s[self.i] == "+":
                self.i += 1
            if self.i >= len(self.s):
                raise QueryError(f"Cannot parse '{self.s}': dangling operator")
            result.groups[-1].append((required, self.clause(fields)))
        if not any(result.groups):
            raise QueryError(f"Cannot parse '{self.s}': empty expression")
        for group in result.groups:  # a purely negative clause matches everything else, as in Solr
            if group and not any(required for required, _ in group):
                group.append((True, MatchAll()))
        return result

    def clause(self, fields: tuple[str, ...]) -> Node:
        if self.s.startswith("*:*", self.i):
            self.i += 3
            return MatchAll()
        if self.s[self.i] == "(":
            self.i += 1
            node = self.expr(fields)
            self.close()
            return node
        if m := _FIELD.match(self.s, self.i):
            self.i = m.end()
            name = m.group(1)
            if self.i < len(self.s) and self.s[self.i] == "(":
                self.i += 1
                node = self.expr((name,))
                self.close()
                return node
            if self.i < len(self.s) and self.s[self.i] in "[{":
                return self.range(name)
            return self.term((name,))
        return self.term(fields)

    def close(self) -> None:
        self.ws()
        if self.i >= len(self.s) or self.s[self.i] != ")":
            raise QueryError(f"Cannot parse '{self.s}': missing ')'")
        self.i += 1

    def term(self, fields: tuple[str, ...]) -> Node:
        if self.i < len(self.s) and self.s[self.i] == '"':
            end = self.i + 1
            chars: list[str] = []
            while end < len(self.s) and self.s[end] != '"':
                if self.s[end] == "\\" and end + 1 < len(self.s):
                    end += 1
                chars.append(self.s[end])
                end += 1
            if end >= len(self.s):
                raise QueryError(f"Cannot parse '{self.s}': unterminated phrase")
            self.i = end + 1
            return Term(fields, "".join(chars))
        chars, wildcard = [], False
        while self.i < len(self.s) and self.s[self.i] not in _STOP:
            c = self.s[self.i]
            if c == "\\" and self.i + 1 < len(self.s):
                self.i += 1
                c = self.s[self.i]
            elif c in "*?":
                wildcard = True
            chars.append(c)
            self.i += 1
        if not chars:
            raise QueryError(f"Cannot parse '{self.s}': expected a term at {self.i}")
        return Term(fields, "".join(chars), wildcard)

    def range(self, name: str) -> Node:
        end = min((j for j in (self.s.find("]", self.i), self.s.find("}", self.i)) if j > 0), default=-1)
        if end < 0:
            raise QueryError(f"Cannot parse '{self.s}': unterminated range")
        parts = self.s[self.i + 1 : end].split()
        self.i = end + 1
        if len(parts) != 3 or parts[1] != "TO":
            raise QueryError(f"Cannot parse '{self.s}': range must be [low TO high]")
        return Range(name, parts[0].strip('"'), parts[2].strip('"'))


def parse_query(text: str, default_fields: tuple[str, ...] = ("text",)) -> Node:
    return _Parser(text, default_fields).parse()


# --- the index -----------------------------------------------------------------------------------


class Index:
    """The documents of one core, and the operations of Solr's update and select handlers."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.docs: dict[str, Doc] = {}
        self.lock = threading.Lock()

    def add(self, docs: Iterable[Doc]) -> None:
        with self.lock:
            for doc in docs:
                key = doc.get(self.schema.unique_key)
                if key is None:
                    raise QueryError(f"Document is missing the uniqueKey field {self.schema.unique_key}")
                self.docs[str(key)] = self._indexed(doc)

    def _indexed(self, doc: Doc) -> Doc:
        out = dict(doc)
        out.setdefault("indexed_ts", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
        for source, dest in self.schema.copy:
            for name in [n for n in doc if fnmatch.fnmatchcase(n, source)]:
                copied = doc[name] if isinstance(doc[name], list) else [doc[name]]
                current = out.get(dest, [])
                out[dest] = (current if isinstance(current, list) else [current]) + copied
        return out

    def delete_ids(self, ids: Iterable[str]) -> None:
        with self.lock:
            for key in ids:
                self.docs.pop(key, None)

    def delete_query(self, query: str) -> None:
        node = parse_query(query)
        with self.lock:
            for key in [k for k, d in self.docs.items() if node.matches(d, self.schema)]:
                del self.docs[key]

    def select(self, params: dict[str, list[str]]) -> dict[str, Any]:
        one = {k: v[-1] for k, v in params.items() if v}
        def_type = one.get("defType", "lucene")
        if def_type in ("dismax", "edismax") and one.get("qf"):
            default = tuple(f.split("^")[0] for f in one["qf"].split())
        else:
            default = (one.get("df", "text"),)
        nodes = [parse_query(one.get("q") or "*:*", default)]
        nodes += [parse_query(fq, (one.get("df", "text"),)) for fq in params.get("fq", []) if fq.strip()]
        with self.lock:
            hits = [d for d in self.docs.values() if all(n.matches(d, self.schema) for n in nodes)]
        hits = self._sorted(hits, one.get("sort", ""))
        start, rows = int(one.get("start", 0)), int(one.get("rows", 10))
        wanted = [f for f in re.split(r"[\s,]+", one.get("fl", "*")) if f and f != "score"]
        answer: dict[str, Any] = {
            "responseHeader": {"status": 0, "QTime": 0},
            "response": {
                "numFound": len(hits),
                "start": start,
                "docs": [self._stored(d, wanted) for d in hits[start : start + max(rows, 0)]],
            },
        }
        if one.get("facet") == "true":
            answer["facet_counts"] = {
                "facet_queries": {},
                "facet_fields": {
                    name: self._facet(hits, name, int(one.get("facet.limit", 100)), one)
                    for name in params.get("facet.field", [])
                },
                "facet_ranges": {},
                "facet_intervals": {},
                "facet_heatmaps": {},
            }
        return answer

    def _sorted(self, hits: list[Doc], sort: str) -> list[Doc]:
        for spec in reversed([s.split() for s in sort.split(",") if s.strip()]):
            name, direction = spec[0], spec[1] if len(spec) > 1 else "asc"
            if name == "score":
                continue  # no scoring: every hit scores the same
            present = [d for d in hits if _values(d, name)]
            present.sort(key=lambda d, n=name: _values(d, n)[0], reverse=direction == "desc")
            hits = present + [d for d in hits if not _values(d, name)]  # missing values last
        return hits

    def _stored(self, doc: Doc, wanted: list[str]) -> Doc:
        names = [n for n in doc if "*" in wanted or any(fnmatch.fnmatchcase(n, w) for w in wanted)]
        return {n: doc[n] for n in names if self.schema.field(n).stored}

    @staticmethod
    def _facet(hits: list[Doc], name: str, limit: int, one: dict[str, str]) -> list[Any]:
        mincount = int(one.get(f"f.{name}.facet.mincount", one.get("facet.mincount", 0)))
        counts: dict[str, int] = {}
        for doc in hits:
            for value in set(_values(doc, name)):
                counts[value] = counts.get(value, 0) + 1
        ranked = sorted(((v, c) for v, c in counts.items() if c >= mincount), key=lambda vc: (-vc[1], vc[0]))
        flat: list[Any] = []
        for value, count in ranked[: None if limit < 0 else limit]:
            flat += [value, count]
        return flat

    def update(self, body: bytes, content_type: str) -> None:
        if "json" in content_type:
            docs = json.loads(body or b"[]")
            if isinstance(docs, dict):
                docs = [docs]
            self.add(docs)
            return
        if not body.strip():
            return  # a bare ?commit=true
        root = ET.fromstring(body)
        if root.tag == "delete":
            self.delete_ids([el.text or "" for el in root.findall("id")])
            for el in root.findall("query"):
                self.delete_query(el.text or "")
        elif root.tag not in ("commit", "optimize"):
            raise QueryError(f"the Solr stand-in does not support XML <{root.tag}> updates")


# --- the HTTP server -----------------------------------------------------------------------------


class SolrStandin:
    """`SolrStandin(schema_xml).start()` serves one core at `.url` (http://127.0.0.1:PORT/solr/ckan)."""

    def __init__(self, schema_xml: str, core: str = "ckan", host: str = "127.0.0.1") -> None:
        self.index = Index(Schema.parse(schema_xml))
        self.core, self.host = core, host
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_file(cls, schema: Path, core: str = "ckan") -> SolrStandin:
        return cls(schema.read_text(encoding="utf-8"), core)

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"http://{self.host}:{self._server.server_address[1]}/solr/{self.core}"

    def start(self, port: int = 0) -> SolrStandin:
        self._server, self._thread = serve_in_thread((self.host, port), self._handler(), "solr-standin")
        return self

    def stop(self) -> None:
        stop_serving(self._server, self._thread)
        self._server = self._thread = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self
        prefix = f"/solr/{self.core}"

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: CKAN's own log says what it asked

            def do_GET(self) -> None:
                self._serve(b"")

            def do_POST(self) -> None:
                self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

            def _serve(self, body: bytes) -> None:
                standin.requests += 1
                url = urlsplit(self.path)
                path = url.path.rstrip("/")
                params = parse_qs(url.query, keep_blank_values=True)
                content_type = self.headers.get("Content-Type", "")
                routes: dict[str, Callable[[], tuple[str, str]]] = {
                    f"{prefix}/select": lambda: self._select(params, body, content_type),
                    f"{prefix}/update": lambda: self._update(body, content_type),
                    f"{prefix}/schema": lambda: ("application/xml", standin.index.schema.xml),
                    f"{prefix}/admin/file": lambda: ("application/xml", standin.index.schema.xml),
                    f"{prefix}/admin/ping": lambda: ("application/json", _ok(status="OK")),
                }
                route = routes.get(path)
                if route is None:
                    return self._send(404, "application/json", _error(404, f"no such path: {url.path}"))
                try:
                    self._send(200, *route())
                except (QueryError, ValueError, ET.ParseError) as exc:
                    msg = f"org.apache.solr.search.SyntaxError: {exc}"
                    self._send(400, "application/json", _error(400, msg))

            def _select(self, params: dict[str, list[str]], body: bytes, ctype: str) -> tuple[str, str]:
                if body and "x-www-form-urlencoded" in ctype:
                    for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items():
                        params.setdefault(k, []).extend(v)
                return "application/json", json.dumps(standin.index.select(params))

            def _update(self, body: bytes, content_type: str) -> tuple[str, str]:
                standin.index.update(body, content_type)
                return "application/json", _ok()

            def _send(self, status: int, content_type: str, text: str) -> None:
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _ok(**extra: Any) -> str:
    return json.dumps({"responseHeader": {"status": 0, "QTime": 0}, **extra})


def _error(code: int, msg: str) -> str:
    return json.dumps({"responseHeader": {"status": code, "QTime": 0}, "error": {"msg": msg, "code": code}})
