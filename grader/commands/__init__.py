"""The subcommands of `nngrade`, one module each: parse arguments, call the library, print."""
