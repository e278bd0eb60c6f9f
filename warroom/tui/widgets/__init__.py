"""The console's panes: each renders a pure view of (incident state, now)."""
