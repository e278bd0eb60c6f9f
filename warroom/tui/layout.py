"""The sizes the screens lay themselves out by, shared by the console, replay and the wall."""

MIN_WIDTH, MIN_HEIGHT = 60, 20  # below this a screen says "enlarge it" rather than draw panes nobody can read
WIDE_WIDTH = 150  # from here the panes stand side by side in one row
ROOMY_FOOTER_WIDTH = 120  # below this the footer is compact and leaves out the wide-only keys
PALETTE_KEY_WIDTH = 100  # below this the footer has no room for "^p palette" (ctrl+p still works; ? says so)
