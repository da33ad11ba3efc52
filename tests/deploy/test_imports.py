"""What importing the deploy engine costs: no config models (pydantic) and no boto3 until needed."""

from __future__ import annotations

import subprocess
import sys


def test_the_engine_loads_neither_pydantic_nor_boto3() -> None:
    # A ``--bucket`` deploy has no lpublish.toml: the config models are not needed, and boto3 is only
    # imported when an S3 target first sends a request.
    code = (
        "import sys\n"
        "import lpublish.deploy.engine, lpublish.deploy.configured, lpublish.deploy.rollback\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'boto3', 'botocore'}))\n"
        "print(sorted(m for m in sys.modules if m.startswith('lpublish.config')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == ["[]", "[]"]
