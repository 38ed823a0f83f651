"""moto's server with the local runtime's Query shim (local/moto_patches.py), for benchmarks:
`python -m bench.moto_server PORT`."""

from __future__ import annotations

import sys

from local import moto_patches


def main() -> None:
    moto_patches.install()
    from moto.server import main as moto_main

    moto_main(["-H", "127.0.0.1", "-p", sys.argv[1]])


if __name__ == "__main__":
    main()
