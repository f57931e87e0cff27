"""Files copied to the root of the student handout (a package only so that they install)."""
