"""Grading a class on a Dask cluster: `nngrade batch SUBMISSIONS --out RESULTS --scheduler ADDRESS`.

The batch's client (`runner`) loads each submission and sends it to the cluster as bytes
(`request`); on every Dask worker process a plugin (`plugin`) keeps one warm sandbox and a
thread that grades with it (`lane`), one submission at a time; the document comes back as
the bytes `nngrade grade` would write, and the client writes it, renders the page and builds
the class files as a local batch does. Nothing here is imported without ``--scheduler``;
`runner` and `plugin` need the ``dask`` extra (``pip install 'nngrade[dask]'``).
"""
