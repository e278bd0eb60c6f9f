"""The Textual console: renders views of the incident and turns keys into commands."""
