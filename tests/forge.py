"""Forged logs for the import tests: records changed at will, then re-chained so that every hash fits.

A forger who has an export can edit it and recompute the chain (events.chain_hash is no secret): the
hash only proves that nothing changed after export, not that the records are events warroom writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from warroom.events import GENESIS, canonical_json, chain_hash


def rechain(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with seq left as they are and prev_hash and hash recomputed, per incident, in order.

    Whatever cannot be hashed (a lone surrogate has no UTF-8 form) gets a hash of zeros: the import must
    refuse it, for what it is, before it tries to hash it.
    """
    heads: dict[Any, str] = {}
    for record in records:
        incident = record.get("incident")
        key = incident if isinstance(incident, (str, int, float, bool, type(None))) else repr(incident)
        prev = heads.get(key, GENESIS)
        record["prev_hash"] = prev
        try:
            record["hash"] = chain_hash(
                incident, record.get("seq"), record.get("kind"), record.get("actor"),
                canonical_json(record.get("payload")), record.get("at"), record.get("recorded_at"), prev,
            )
        except (UnicodeEncodeError, TypeError, ValueError):
            record["hash"] = "0" * 64
        heads[key] = record["hash"]
    return records


def jsonl(records: Iterable[dict[str, Any]]) -> str:
    """Records as a jsonl file holds them (ASCII escapes, so that even a lone surrogate can be written)."""
    return "".join(json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n" for record in records)


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    path.write_text(jsonl(records), encoding="utf-8")
    return path


def tree(folder: Path) -> list[tuple[str, int, int, int]]:
    """Every file under a folder with its size, mtime (ns) and mode: what a failed command must leave as it was."""
    return sorted(
        (str(path.relative_to(folder)), path.lstat().st_size, path.lstat().st_mtime_ns, path.lstat().st_mode)
        for path in folder.rglob("*")
    )
