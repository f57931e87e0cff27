"""Tests of authoring: fences, generated exercises, the handout and its self-check."""
