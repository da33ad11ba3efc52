"""What importing the deploy engine costs: no config models (pydantic) and no boto3 until needed, and
what a deploy imports at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.plugins.deploy_targets import basic_site, local_files
from tests.plugins.s3 import bucket_objects


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


def test_a_deploy_to_s3_loads_no_generator_and_no_boto3_extras(
    moto_server: str, s3_bucket: str, tmp_path: Path
) -> None:
    # Every CI deploy pays for what it imports. The site's generator (Jinja2, Pillow, Markdown) is not
    # needed to publish a built folder, nor are boto3's resources and transfer manager for files below
    # the multipart size: plain botocore clients do it.
    site = basic_site(tmp_path / "dist")
    code = (
        "import atexit, json, sys\n"
        "from lpublish.cli.main import main\n"
        "heavy = {'boto3', 's3transfer', 'jinja2', 'PIL', 'markdown_it'}\n"
        "atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & heavy)),"
        " file=sys.stderr))\n"
        f"main(['deploy', {str(site)!r}, '--bucket', {s3_bucket!r}, '-q'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert bucket_objects(moto_server, s3_bucket) == local_files(site)
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
