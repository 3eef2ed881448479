"""Print the layer's requirements: pyproject's runtime dependencies, less what Lambda provides.

One source of truth for what ships: [project].dependencies in pyproject.toml. boto3 and
botocore come with the Lambda Python runtime, so the layer leaves them out. Markers are
evaluated for the Lambda target (CPython 3.13, Linux, aarch64), not for the building
interpreter, which pip would use otherwise.
"""

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

PROVIDED_BY_RUNTIME = {"boto3", "botocore"}
LAMBDA_ENVIRONMENT = {
    "python_version": "3.13",
    "python_full_version": "3.13.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "os_name": "posix",
    "platform_system": "Linux",
    "platform_machine": "aarch64",
}


def layer_requirements(pyproject: Path) -> list[str]:
    """Return the runtime requirements that belong in the layer, markers stripped."""
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    wanted = []
    for line in dependencies:
        requirement = Requirement(line)
        if requirement.name.lower() in PROVIDED_BY_RUNTIME:
            continue
        if requirement.marker and not requirement.marker.evaluate(LAMBDA_ENVIRONMENT):
            continue
        requirement.marker = None
        wanted.append(str(requirement))
    return wanted


if __name__ == "__main__":
    print("\n".join(layer_requirements(Path(sys.argv[1]))))
