"""`python -m bench`: see `bench.run`."""

from bench.run import main

main(prog_name="python -m bench")
