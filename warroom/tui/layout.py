"""The sizes the screens lay themselves out by, shared by the console, replay and the wall."""

MIN_WIDTH, MIN_HEIGHT = 60, 20  # below this a screen says "enlarge it" rather than draw panes nobody can read
WIDE_WIDTH = 150  # from here the panes stand side by side in one row
ROOMY_FOOTER_WIDTH = 120  # below this the footer is compact and leaves out the wide-only keys
PALETTE_KEY_WIDTH = 100  # below this the footer has no room for "^p palette" (ctrl+p still works; ? says so)

# The checklist and the timeline keep this many rows under the clock and the ladder: at 80x24 the current
# phase's steps and a few timeline entries stay in view however long the playbook's ladder is.
BOTTOM_ROWS = 9


def ladder_room(screen_height: int, chrome: int) -> int:
    """The lines of rungs the ladder may take: the screen's height less its `chrome` (the header and the bars),
    BOTTOM_ROWS and the ladder's own border."""
    return max(2, screen_height - chrome - BOTTOM_ROWS - 2)
