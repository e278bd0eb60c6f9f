"""Keys: a key for a pane that only its bindings could answer is answered as the app reads it, in the order read."""

from __future__ import annotations

from functools import cache

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.widget import Widget

# Everything through which a node can take a Key other than its bindings (Textual 8's names).
_KEY_HANDLERS = ("_on_key", "handle_key", "on_event", "_on_message")
_HANDLED_AS_KEY = (events.Key, events.InputEvent, events.Event)  # what an @on(...) handler of a Key is keyed by


async def answer_where_read(app: App, key: events.Key) -> bool:
    """Run the binding a key stands for now, if only a binding could answer it; False to let Textual deliver it.

    Textual hands every key to the focused widget, which passes it up to its container, to the screen and back to
    the app, each a message of its own, before the app looks at the bindings: for the checklist, three hops more
    than a bare app's key (0.6-0.9 ms of the 10k console's 6-7 ms from key to frame). Where no node on that way
    does anything with a key but its bindings (no key handler, no `key_` method: the panes), the app's own
    binding check gives the same answer at once. Keys then also take effect in the order they were read: the
    bar's and the dialogs' keys still go the long way, and the ones that open a field (priority bindings) are
    left to Textual, which runs them first."""
    if key.is_forwarded or app.screen.maximized is not None:  # escape minimizes a maximized pane: Textual's
        return False
    focused = app.focused
    if focused is None or not all(_by_bindings_alone(type(node)) for node in _way_up(focused)):
        return False
    if any(binding.priority for _, bindings in app.screen._binding_chain for binding in bindings.key_to_bindings.get(key.key, ())):
        return False  # Textual runs those before anything else, as it reads them
    app.app_focus = True  # as Textual does on a key
    app.screen._clear_tooltip()
    return await app._check_bindings(key.key)


def _way_up(node: Widget) -> list[DOMNode]:
    """The nodes a key passes on its way from the focused widget to the app, which then runs the bindings."""
    return [node, *node.ancestors]


@cache
def _by_bindings_alone(cls: type) -> bool:
    """Nothing of this class takes a key but Textual's own handlers (which only look for `key_` methods)."""
    if issubclass(cls, App):  # its _on_key runs the bindings, then looks for key_ methods; on_event is where we are
        handlers: tuple[tuple[str, object], ...] = (("_on_key", App._on_key), ("_on_message", MessagePump._on_message))
    else:
        handlers = tuple((name, getattr(Widget, name)) for name in _KEY_HANDLERS)
    if any(getattr(cls, name, None) is not textual_own for name, textual_own in handlers):
        return False
    if hasattr(cls, "on_key") or any(name.startswith("key_") for name in dir(cls)):
        return False
    return not any(
        kind in klass.__dict__.get("_decorated_handlers", {}) for klass in cls.__mro__ for kind in _HANDLED_AS_KEY
    )
