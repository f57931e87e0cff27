"""The worker's world when what it must show lies where the sandbox puts folders of its own."""

from __future__ import annotations

import json
import os
import shutil
import site as sitelib
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from grader.sandbox import Sandbox, SandboxLimits

    SOURCE = '''
    import os, tempfile
    import numpy as np

    def probe(Z):
        with open(os.path.join(tempfile.gettempdir(), "note.txt"), "w") as note:
            note.write("scratch")
        found = sorted(os.listdir("/tmp"))
        with open("/tmp/left-by-student.txt", "w") as note:
            note.write("tmp")
        try:
            open(os.path.join(os.path.dirname(np.__file__), "planted.py"), "w").close()
            numpy_writable = True
        except OSError:
            numpy_writable = False
        return np.tanh(Z), tempfile.gettempdir(), found, numpy_writable, np.__file__

    def listing():
        return sorted(os.listdir("/tmp"))
    '''
    functions = {"probe": "probe", "listing": "probe"}
    with Sandbox(SandboxLimits(wall_seconds_per_call=5.0)) as sandbox:
        session = sandbox.open_session({"probe": SOURCE}, function_modules=functions)
        try:
            A, temporary, found, numpy_writable, where = session.call(
                "probe", np.array([[0.5, -2.0]])
            )
        finally:
            session.close()
        session = sandbox.open_session({"probe": SOURCE}, function_modules=functions)
        try:
            later = session.call("listing")
        finally:
            session.close()
    print(json.dumps({"A": A.tolist(), "tmp": temporary, "found": found, "later": later,
                      "numpy_writable": numpy_writable, "numpy_here": np.__file__,
                      "numpy_there": where}))
    """
)


def test_a_numpy_installed_under_tmp_is_shown_and_the_scratch_still_works(
    tmp_path: Path,
) -> None:
    """A checkout or venv under /tmp (a CI clone, a throwaway venv) puts numpy under /tmp,
    where the worker's world also had /tmp lead to its scratch folder: the sandbox could
    not start. Now each worker has a /tmp of its own holding numpy's folder again,
    read-only: student code writes to /tmp and to its temporary folder as elsewhere, and
    the next worker finds nothing of it."""
    assert str(tmp_path).startswith("/tmp/")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    installed = Path(np.__file__).resolve().parent
    shutil.copytree(installed, site / "numpy", symlinks=True)
    libraries = installed.with_name("numpy.libs")
    if libraries.is_dir():
        shutil.copytree(libraries, site / "numpy.libs", symlinks=True)
    # Everything else (the grader, its dependencies) from this environment, after numpy.
    (site / "project.pth").write_text(
        "\n".join([*sitelib.getsitepackages(), str(ROOT)]) + "\n", encoding="utf-8"
    )
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [str(python), "-c", PROBE],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["numpy_here"].startswith(str(site))
    assert seen["numpy_there"] == seen["numpy_here"]
    assert np.allclose(seen["A"], np.tanh([[0.5, -2.0]]))
    assert seen["tmp"] == "/sandbox"
    # /tmp holds the top of the shown folder alone, is writable, and is the worker's own.
    assert seen["found"] == [tmp_path.relative_to("/tmp").parts[0]]
    assert seen["later"] == seen["found"]
    assert seen["numpy_writable"] is False
    assert not Path("/tmp/left-by-student.txt").exists()
