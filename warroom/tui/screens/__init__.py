"""The console's screens: declare, pick, the live console, dialogs and help."""
