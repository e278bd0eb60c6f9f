"""Widget ids made from playbook ids, so that any id an incident's log holds can name a widget."""

from __future__ import annotations

import re

# What Textual accepts as a widget id (textual.dom's check): ASCII letters, digits, - and _, not a digit first.
_WIDGET_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def widget_id(prefix: str, ident: str) -> str:
    """`prefix-ident` for an id that a widget id can hold as it is, which is every id of a playbook loaded today.

    A log declared before the loader's id rule (issue 13) can hold a template `status page` or `état`: those are
    spelled `prefix--` and the id's UTF-8 bytes in hex. No id that passes as it is starts with `-`, so the two
    spellings never meet, and distinct ids always give distinct widget ids."""
    if _WIDGET_ID.match(ident):
        return f"{prefix}-{ident}"
    return f"{prefix}--{ident.encode('utf-8', 'surrogatepass').hex()}"
