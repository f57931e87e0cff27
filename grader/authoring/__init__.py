"""Authoring: from the fenced answer key in `solutions/` to the stubs and the student handout."""
