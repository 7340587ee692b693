"""Print deploy/requirements.lock: the exact versions installed in this environment of requirements.txt's
packages and of everything they pull in (for Linux).  Run with a tested .venv::

    .venv/bin/python deploy/lock.py > deploy/requirements.lock
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Exact versions for the container image (deploy/Dockerfile): requirements.txt's packages and everything they pull
# in, as tested. torch is the CPU wheel (from PyTorch's CPU index, see the Dockerfile). Written by deploy/lock.py;
# tests/deploy/test_manifests.py checks that it still satisfies requirements.txt."""
LINUX = {"extra": "", "sys_platform": "linux", "platform_system": "Linux"}


def roots(path: Path = ROOT / "requirements.txt") -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def closure() -> dict[str, str]:
    found, todo = {}, [r.name for r in roots()]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in found:
            continue
        dist = metadata.distribution(name)
        found[name] = dist.version
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate(LINUX):
                todo.append(req.name)
    return dict(sorted(found.items()))


if __name__ == "__main__":
    print(HEADER)
    for name, version in closure().items():
        print(f"{name}=={version}")
