"""Imported once by the fork server that workers are forked from (core.workers.PRELOAD).

Creating the first optimiser in a process loads parts of torch lazily (about a second on the 2-core
machine); doing it here, once, means every worker starts training at once instead of paying it
for each run.
"""

import torch

_m = torch.nn.Linear(2, 2)
for _opt in (torch.optim.Adam, torch.optim.AdamW, torch.optim.SGD):
    _opt(_m.parameters(), lr=0.1)
torch.nn.utils.clip_grad_norm_(_m.parameters(), 1.0)
del _m, _opt
