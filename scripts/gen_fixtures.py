#!/usr/bin/python3
"""Writes the PyTorch parity fixtures under fixtures/ (committed; tests never need PyTorch).

Run with Debian's PyTorch:  apt-get install -y python3-torch  then  npm run fixtures
(or /usr/bin/python3 scripts/gen_fixtures.py [family ...]).
Each module in scripts/fixtures/ that defines build() -> Family is one family.
"""
import importlib.util
import os
import pkgutil
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures'))


def main(argv):
    torch.set_num_threads(1)
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
    names = argv or sorted(m.name for m in pkgutil.iter_modules([here]) if m.name != 'common')
    for name in names:
        torch.manual_seed(0)
        # Loaded by path under a private name: a family may share a name with a standard module
        # (random.py), which a plain import would resolve to the already-imported stdlib module.
        spec = importlib.util.spec_from_file_location(f'tsorch_fixture_{name}', os.path.join(here, f'{name}.py'))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.build().write()


if __name__ == '__main__':
    main(sys.argv[1:])
