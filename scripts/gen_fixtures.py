#!/usr/bin/python3
"""Writes the PyTorch parity fixtures under fixtures/ (committed; tests never need PyTorch).

Run with Debian's PyTorch:  apt-get install -y python3-torch  then  npm run fixtures
(or /usr/bin/python3 scripts/gen_fixtures.py [family ...]).
Each module in scripts/fixtures/ that defines build() -> Family is one family.
"""
import importlib
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
        importlib.import_module(name).build().write()


if __name__ == '__main__':
    main(sys.argv[1:])
