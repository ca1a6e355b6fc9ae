"""Imported first by the fork server that workers are forked from (core.workers.PRELOAD).

It lowers the fork server's CPU priority before anything heavy is imported (the server's pages
come first while torch loads, and every worker forked from it inherits the priority), then creates
the first optimisers: that loads parts of torch lazily (about a second on the 2-core machine), so
doing it here, once, means every worker starts training at once instead of paying it for each run.
"""

import os

from core.workers_nice import WORKER_NICE

try:
    os.nice(WORKER_NICE)
except (AttributeError, OSError):  # pragma: no cover - not available, or not allowed
    pass

import torch  # noqa: E402

_m = torch.nn.Linear(2, 2)
for _opt in (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD):
    _opt(_m.parameters(), lr=0.1)
torch.nn.utils.clip_grad_norm_(_m.parameters(), 1.0)
del _m, _opt
