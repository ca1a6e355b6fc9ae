"""The LSTM's and GRU's backward passes written out (core.models.bptt) against autograd and torch.nn."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from core.models.bptt import GRUScan, LSTMScan, gru_scan, lstm_scan
from core.models.rnn import GRUCell, LSTMCell, Recurrent

T, B, I, H = 6, 3, 5, 4


def _inputs(seed: int, cell: str = "lstm") -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    if cell == "lstm":  # X_proj, h_0, c_0, W_hh
        shapes = [(T, B, 4 * H), (B, H), (B, H), (4 * H, H)]
    else:  # X_proj, h_0, W_hh, b_hh
        shapes = [(T, B, 3 * H), (B, H), (3 * H, H), (3 * H,)]
    return [torch.randn(*s, generator=g, dtype=torch.float64, requires_grad=True) for s in shapes]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gradcheck_every_input_and_output(cell: str) -> None:
    """Finite differences against the hand-written backward, for every input at once."""
    scan = LSTMScan if cell == "lstm" else GRUScan
    assert torch.autograd.gradcheck(scan.apply, _inputs(0, cell))


@pytest.mark.parametrize("used", ["all", "outputs", "final"])
def test_same_gradients_as_autograd_through_the_cell_equations(used: str) -> None:
    """Same numbers as autograd through LSTMCell.step, whichever outputs the loss reads."""
    ours = _inputs(1)
    ref = [t.detach().clone().requires_grad_() for t in ours]
    g = torch.Generator().manual_seed(2)
    w_out, w_h, w_c = (torch.randn(*s, generator=g, dtype=torch.float64) for s in [(T, B, H), (B, H), (B, H)])

    def loss(outputs: torch.Tensor, h_T: torch.Tensor, c_T: torch.Tensor) -> torch.Tensor:
        parts = {"outputs": [(outputs * w_out).sum()], "final": [(h_T * w_h).sum(), (c_T * w_c).sum()]}
        return sum(parts["outputs"] + parts["final"]) if used == "all" else sum(parts[used])

    X_proj, h, c, W_hh = ref
    hs = []
    for t in range(T):
        (h, c), _ = LSTMCell.step(X_proj[t], (h, c), W_hh, None)
        hs.append(h)
    loss(torch.stack(hs), h, c).backward()
    outputs, h_T, c_T = lstm_scan(*ours)
    torch.testing.assert_close(outputs, torch.stack(hs))
    loss(outputs, h_T, c_T).backward()
    for name, a, b in zip(["X_proj", "h_0", "c_0", "W_hh"], ours, ref):
        torch.testing.assert_close(a.grad, b.grad, msg=name)


@pytest.mark.parametrize("used", ["all", "outputs", "final"])
def test_gru_same_gradients_as_autograd_through_the_cell_equations(used: str) -> None:
    ours = _inputs(3, "gru")
    ref = [t.detach().clone().requires_grad_() for t in ours]
    g = torch.Generator().manual_seed(5)
    w_out, w_h = (torch.randn(*s, generator=g, dtype=torch.float64) for s in [(T, B, H), (B, H)])

    def loss(outputs: torch.Tensor, h_T: torch.Tensor) -> torch.Tensor:
        parts = {"outputs": (outputs * w_out).sum(), "final": (h_T * w_h).sum()}
        return parts["outputs"] + parts["final"] if used == "all" else parts[used]

    X_proj, h, W_hh, b_hh = ref
    hs = []
    for t in range(T):
        h, _ = GRUCell.step(X_proj[t], h, W_hh, b_hh)
        hs.append(h)
    loss(torch.stack(hs), h).backward()
    outputs, h_T = gru_scan(*ours)
    torch.testing.assert_close(outputs, torch.stack(hs))
    loss(outputs, h_T).backward()
    for name, a, b in zip(["X_proj", "h_0", "W_hh", "b_hh"], ours, ref):
        torch.testing.assert_close(a.grad, b.grad, msg=name)


def _graph_nodes(t: torch.Tensor) -> set[str]:
    """Names of every autograd node behind t."""
    seen, todo, names = set(), [t.grad_fn], set()
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(type(node).__name__)
        todo.extend(n for n, _ in node.next_functions)
    return names


@pytest.mark.parametrize(("cell", "node"), [("lstm", "LSTMScanBackward"), ("gru", "GRUScanBackward")])
def test_recurrent_layer_runs_the_written_out_backward(cell: str, node: str) -> None:
    """An explicit layer with nothing padded trains through the scan; with padding it steps through the cell."""
    m = Recurrent(cell, I, H)
    x = torch.randn(B, T, I)
    assert node in _graph_nodes(m(x, explicit=True).outputs)
    padded = _graph_nodes(m(x, torch.tensor([T, 2, 1]), explicit=True).outputs)
    assert node not in padded and "SigmoidBackward0" in padded


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_parameter_gradients_match_torch(cell: str, bidirectional: bool) -> None:
    """Two layers, a given initial state, a loss on outputs and the final state: same gradients as nn.LSTM / nn.GRU."""
    torch.manual_seed(4)
    ref = (nn.LSTM if cell == "lstm" else nn.GRU)(I, H, 2, batch_first=True, bidirectional=bidirectional)
    ours = Recurrent(cell, I, H, 2, bidirectional)
    ours.fused.load_state_dict(ref.state_dict())
    dirs = 2 if bidirectional else 1
    x = torch.randn(B, T, I)
    h0, c0 = torch.randn(2 * dirs, B, H), torch.randn(2 * dirs, B, H)
    state = (h0, c0) if cell == "lstm" else h0
    out_ref, final = ref(x, state)
    h_ref, c_ref = final if cell == "lstm" else (final, torch.zeros(()))
    (out_ref.pow(2).sum() + h_ref.sum() + c_ref.pow(2).sum()).backward()
    r = ours(x, explicit=True, state=state)
    torch.testing.assert_close(r.outputs, out_ref, atol=1e-5, rtol=1e-5)
    c_ours = r.c_n if cell == "lstm" else torch.zeros(())
    (r.outputs.pow(2).sum() + r.h_n.sum() + c_ours.pow(2).sum()).backward()
    for (name, p_ref), p in zip(ref.named_parameters(), ours.fused.parameters()):
        torch.testing.assert_close(p.grad, p_ref.grad, atol=1e-4, rtol=1e-4, msg=name)
