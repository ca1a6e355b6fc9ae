"""The explicit RNN/LSTM/GRU cells against PyTorch's own modules, and the recurrent model end to end."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from core.config import ConfigError, describe, resolve
from core.models.base import PAD, task_loss
from core.models.rnn import (
    GRUCell,
    LSTMCell,
    Recurrent,
    RecurrentConfig,
    RecurrentModel,
    RNNCell,
)

TORCH_LAYER = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
TORCH_CELL = {"rnn": (RNNCell, nn.RNNCell), "lstm": (LSTMCell, nn.LSTMCell), "gru": (GRUCell, nn.GRUCell)}
ATOL = 1e-5
B, T, I, H = 4, 7, 5, 6
LENGTHS = torch.tensor([7, 3, 1, 5])


def _pair(cell: str, layers: int, bidirectional: bool, seed: int = 0) -> tuple[nn.RNNBase, Recurrent]:
    """A torch reference module and our Recurrent loaded with the reference's parameters."""
    torch.manual_seed(seed)
    ref = TORCH_LAYER[cell](I, H, layers, batch_first=True, bidirectional=bidirectional)
    ours = Recurrent(cell, I, H, layers, bidirectional)
    ours.fused.load_state_dict(ref.state_dict())  # strict: names and shapes must be PyTorch's
    return ref, ours


def _finals(
    ref_final: torch.Tensor | tuple[torch.Tensor, torch.Tensor],
) -> tuple[torch.Tensor, torch.Tensor | None]:
    return ref_final if isinstance(ref_final, tuple) else (ref_final, None)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_explicit_and_fused_match_torch(cell: str, layers: int, bidirectional: bool) -> None:
    ref, ours = _pair(cell, layers, bidirectional)
    x = torch.randn(B, T, I)
    with torch.no_grad():
        ref_out, ref_final = ref(x)
        h_ref, c_ref = _finals(ref_final)
        for explicit in (True, False):
            r = ours(x, explicit=explicit)
            assert r.outputs.shape == (B, T, (2 if bidirectional else 1) * H)
            assert r.h_n.shape == (layers * (2 if bidirectional else 1), B, H)
            torch.testing.assert_close(r.outputs, ref_out, atol=ATOL, rtol=ATOL)
            torch.testing.assert_close(r.h_n, h_ref, atol=ATOL, rtol=ATOL)
            if cell == "lstm":
                torch.testing.assert_close(r.c_n, c_ref, atol=ATOL, rtol=ATOL)
            else:
                assert r.c_n is None


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_variable_lengths_match_packed_torch(cell: str, layers: int, bidirectional: bool) -> None:
    ref, ours = _pair(cell, layers, bidirectional, seed=1)
    x = torch.randn(B, T, I)
    real = torch.arange(T) < LENGTHS.unsqueeze(1)  # (B, T)
    x = x * real.unsqueeze(-1) + 9.0 * (~real).unsqueeze(-1)  # garbage in the padding must not leak
    with torch.no_grad():
        packed = pack_padded_sequence(x, LENGTHS, batch_first=True, enforce_sorted=False)
        ref_out, ref_final = ref(packed)
        ref_out, _ = pad_packed_sequence(ref_out, batch_first=True, total_length=T)
        h_ref, c_ref = _finals(ref_final)
        for explicit in (True, False):
            r = ours(x, LENGTHS, explicit=explicit)
            torch.testing.assert_close(r.outputs, ref_out, atol=ATOL, rtol=ATOL)
            assert torch.all(r.outputs[~real] == 0)
            torch.testing.assert_close(r.h_n, h_ref, atol=ATOL, rtol=ATOL)
            if cell == "lstm":
                torch.testing.assert_close(r.c_n, c_ref, atol=ATOL, rtol=ATOL)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_initial_state_is_used_like_torch(cell: str) -> None:
    ref, ours = _pair(cell, 2, True, seed=2)
    x = torch.randn(B, T, I)
    h0 = torch.randn(4, B, H)
    state = (h0, torch.randn(4, B, H)) if cell == "lstm" else h0
    with torch.no_grad():
        ref_out, ref_final = ref(x, state)
        r = ours(x, explicit=True, state=state)
    torch.testing.assert_close(r.outputs, ref_out, atol=ATOL, rtol=ATOL)
    torch.testing.assert_close(r.h_n, _finals(ref_final)[0], atol=ATOL, rtol=ATOL)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_parameters_are_pytorch_layout(cell: str) -> None:
    ours = Recurrent(cell, I, H, 2, True)
    ref = TORCH_LAYER[cell](I, H, 2, bidirectional=True)
    names = [n for n, _ in ours.named_parameters()]
    assert names == ["fused." + n for n, _ in ref.named_parameters()]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_gradients_match_torch(cell: str) -> None:
    ref, ours = _pair(cell, 2, True, seed=3)
    x = torch.randn(B, T, I)
    out_ref, _ = ref(pack_padded_sequence(x, LENGTHS, batch_first=True, enforce_sorted=False))
    pad_packed_sequence(out_ref, batch_first=True, total_length=T)[0].pow(2).sum().backward()
    ours(x, LENGTHS, explicit=True).outputs.pow(2).sum().backward()
    for (name, p_ref), p in zip(ref.named_parameters(), ours.fused.parameters()):
        torch.testing.assert_close(p.grad, p_ref.grad, atol=1e-4, rtol=1e-4, msg=name)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_single_cell_matches_torch_cell(cell: str) -> None:
    ours_cls, ref_cls = TORCH_CELL[cell]
    torch.manual_seed(4)
    ref = ref_cls(I, H)
    ours = ours_cls(I, H)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(B, I)
    state = (torch.randn(B, H), torch.randn(B, H)) if cell == "lstm" else torch.randn(B, H)
    with torch.no_grad():
        torch.testing.assert_close(ours(x, state), ref(x, state), atol=ATOL, rtol=ATOL)
        torch.testing.assert_close(ours(x), ref(x), atol=ATOL, rtol=ATOL)  # zero initial state


def test_lstm_recorded_gates_obey_the_equations() -> None:
    _, ours = _pair("lstm", 2, True, seed=5)
    x = torch.randn(B, T, I)
    with torch.no_grad():
        r = ours(x, LENGTHS, record=True)
    assert set(r.gates) == {"i", "f", "g", "o", "c"}
    for v in r.gates.values():
        assert v.shape == (2, 2, B, T, H)
    for k in ("i", "f", "o"):
        assert r.gates[k].min() >= 0 and r.gates[k].max() <= 1
    assert r.gates["g"].abs().max() <= 1
    I_, F_, G_, O_, C = (r.gates[k] for k in "ifgoc")
    real = (torch.arange(T) < LENGTHS.unsqueeze(1)).view(1, 1, B, T, 1)
    # forward direction: C_t = F*C_{t-1} + I*C_tilde, H_t = O*tanh(C_t), at real steps
    C_prev = torch.cat([torch.zeros_like(C[:, :1, :, :1]), C[:, :1, :, :-1]], dim=3)
    expected_C = F_[:, :1] * C_prev + I_[:, :1] * G_[:, :1]
    torch.testing.assert_close(C[:, :1] * real, expected_C * real, atol=ATOL, rtol=ATOL)
    torch.testing.assert_close(r.states * real, (O_ * torch.tanh(C)) * real, atol=ATOL, rtol=ATOL)
    # padded steps are zero
    for v in [r.states, *r.gates.values()]:
        assert torch.all(v.masked_select(~real) == 0)


def test_gru_recorded_gates_obey_the_equations() -> None:
    _, ours = _pair("gru", 1, False, seed=6)
    x = torch.randn(B, T, I)
    with torch.no_grad():
        r = ours(x, record=True)
    assert set(r.gates) == {"r", "z", "n"}
    R, Z, N = r.gates["r"], r.gates["z"], r.gates["n"]
    assert R.shape == Z.shape == N.shape == (1, 1, B, T, H)
    assert 0 <= R.min() and R.max() <= 1 and 0 <= Z.min() and Z.max() <= 1
    assert N.abs().max() <= 1
    H_all = r.states  # (1, 1, B, T, H)
    H_prev = torch.cat([torch.zeros_like(H_all[..., :1, :]), H_all[..., :-1, :]], dim=3)
    torch.testing.assert_close(H_all, (1 - Z) * N + Z * H_prev, atol=ATOL, rtol=ATOL)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recorded_states_equal_outputs(cell: str, bidirectional: bool) -> None:
    _, ours = _pair(cell, 2, bidirectional, seed=7)
    one_layer = Recurrent(cell, I, H, 1, bidirectional)
    sd = {k: v for k, v in ours.fused.state_dict().items() if "_l0" in k}
    one_layer.fused.load_state_dict(sd)
    x = torch.randn(B, T, I)
    dirs = 2 if bidirectional else 1
    with torch.no_grad():
        r = ours(x, LENGTHS, record=True)
        first = one_layer(x, LENGTHS)  # fused path: layer 0 on its own
    assert r.states.shape == (2, dirs, B, T, H)
    if cell == "rnn":
        assert r.gates == {}
    for d in range(dirs):
        torch.testing.assert_close(r.states[-1, d], r.outputs[..., d * H : (d + 1) * H])
        torch.testing.assert_close(
            r.states[0, d], first.outputs[..., d * H : (d + 1) * H], atol=ATOL, rtol=ATOL
        )


def test_dropout_between_layers_only_in_training() -> None:
    torch.manual_seed(8)
    x = torch.randn(B, T, I)
    two = Recurrent("lstm", I, H, 2, dropout=0.5)
    one = Recurrent("lstm", I, H, 1, dropout=0.5)
    for explicit in (True, False):
        two.eval()
        a, b = two(x, explicit=explicit), two(x, explicit=explicit)
        torch.testing.assert_close(a.outputs, b.outputs)
        two.train()
        c = two(x, explicit=explicit)
        assert not torch.allclose(c.outputs, a.outputs, atol=1e-4)
        # dropout sits between layer 0 and layer 1: layer 0's final state is untouched
        torch.testing.assert_close(c.h_n[0], a.h_n[0], atol=ATOL, rtol=ATOL)
        # ...and never after the last layer
        one.train()
        d = one(x, explicit=explicit)
        one.eval()
        torch.testing.assert_close(d.outputs, one(x, explicit=explicit).outputs)
    two.eval()
    torch.testing.assert_close(two(x, explicit=True).outputs, two(x).outputs, atol=ATOL, rtol=ATOL)


# ------------------------------------------------------------------------------------------
# RecurrentModel
# ------------------------------------------------------------------------------------------


def _classify_batch() -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randint(4, 20, (8, 6), generator=g)
    lengths = torch.tensor([6, 2, 4, 1, 5, 3, 6, 2])
    mask = torch.arange(6) < lengths.unsqueeze(1)
    x = x.masked_fill(~mask, PAD)
    return {"x": x, "mask": mask, "y": torch.arange(8) % 3}


def _regress_batch() -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 5, 2, generator=g)
    return {"x": x, "y": torch.stack([x[:, :, 0].sum(1), x[:, -1, 1]], dim=1)}


def _cfg(cell: str, **kw: object) -> RecurrentConfig:
    base = {"cell": cell, "embed_dim": 8, "hidden_size": 16}
    return resolve(RecurrentConfig, {**base, **kw})


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_model_classify_trains(cell: str, bidirectional: bool) -> None:
    torch.manual_seed(9)
    batch = _classify_batch()
    model = RecurrentModel(_cfg(cell, vocab_size=20, n_out=3, bidirectional=bidirectional))
    out = model(batch)
    assert out.logits.shape == (8, 3)
    assert out.states is None and out.gates == {}
    opt = torch.optim.Adam(model.parameters(), lr=0.03)
    first = None
    for _ in range(40):
        loss = task_loss("classify", model(batch).logits, batch)
        first = loss.item() if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.3 * first


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_model_regress_trains(cell: str) -> None:
    torch.manual_seed(10)
    batch = _regress_batch()
    model = RecurrentModel(_cfg(cell, in_features=2, n_out=2, num_layers=2))
    assert model(batch).logits.shape == (8, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    first = None
    for _ in range(40):
        loss = task_loss("regress", model(batch).logits, batch)
        first = loss.item() if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.3 * first


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_model_explicit_and_fused_give_same_logits(cell: str, bidirectional: bool) -> None:
    batch = _classify_batch()
    fused = RecurrentModel(_cfg(cell, vocab_size=20, n_out=3, num_layers=2, bidirectional=bidirectional))
    explicit = RecurrentModel(dataclasses.replace(fused.cfg, explicit=True))
    explicit.load_state_dict(fused.state_dict())
    fused.eval()
    explicit.eval()
    with torch.no_grad():
        a, b, c = fused(batch), explicit(batch), fused(batch, record=True)
    torch.testing.assert_close(a.logits, b.logits, atol=ATOL, rtol=ATOL)
    torch.testing.assert_close(a.logits, c.logits, atol=ATOL, rtol=ATOL)
    dirs = 2 if bidirectional else 1
    assert c.states is not None and c.states.shape == (2, dirs, 8, 6, 16)
    assert set(c.gates) == {"rnn": set(), "lstm": set("ifgoc"), "gru": set("rzn")}[cell]


@pytest.mark.parametrize("bidirectional", [False, True])
def test_model_last_readout_ignores_padding(bidirectional: bool) -> None:
    """Many-to-one: extra padding after a sequence must not change its logits."""
    torch.manual_seed(11)
    model = RecurrentModel(_cfg("gru", vocab_size=20, n_out=3, bidirectional=bidirectional)).eval()
    batch = _classify_batch()
    wider = {
        "x": torch.cat([batch["x"], torch.full((8, 3), PAD)], dim=1),
        "mask": torch.cat([batch["mask"], torch.zeros(8, 3, dtype=torch.bool)], dim=1),
    }
    single = {"x": batch["x"][1:2, :2], "mask": batch["mask"][1:2, :2]}  # length 2, no padding
    with torch.no_grad():
        a, b, c = model(batch).logits, model(wider).logits, model(single).logits
        d = model(wider, record=True).logits
    torch.testing.assert_close(a, b, atol=ATOL, rtol=ATOL)
    torch.testing.assert_close(a, d, atol=ATOL, rtol=ATOL)
    torch.testing.assert_close(a[1:2], c, atol=ATOL, rtol=ATOL)


def test_model_each_readout_gives_one_output_per_step() -> None:
    torch.manual_seed(12)
    batch = _classify_batch()
    model = RecurrentModel(_cfg("lstm", vocab_size=20, n_out=3, readout="each"))
    logits = model(batch).logits
    assert logits.shape == (8, 6, 3)
    assert torch.all(logits[~batch["mask"]] == 0)
    logits.sum().backward()
    reg = RecurrentModel(_cfg("rnn", in_features=2, n_out=4, readout="each"))
    assert reg(_regress_batch()).logits.shape == (8, 5, 4)


def test_config_fields_and_checks() -> None:
    infos = {f.name: f for f in describe(RecurrentConfig)}
    assert infos["cell"].choices == ("rnn", "lstm", "gru")
    assert infos["readout"].choices == ("last", "each")
    assert all(infos[k].data for k in ("vocab_size", "in_features", "n_out"))
    assert (infos["hidden_size"].lo, infos["hidden_size"].hi) == (4, 1024)
    assert (infos["num_layers"].lo, infos["num_layers"].hi) == (1, 6)
    assert all(f.help for f in infos.values())
    cfg = resolve(RecurrentConfig, {"cell": "gru", "hidden_size": "32", "bidirectional": "true"})
    assert (cfg.cell, cfg.hidden_size, cfg.bidirectional) == ("gru", 32, True)
    with pytest.raises(ConfigError):
        resolve(RecurrentConfig, {"hidden_size": 2048})
    with pytest.raises(ConfigError):
        resolve(RecurrentConfig, {"cell": "transformer"})
    with pytest.raises(ConfigError):
        resolve(RecurrentConfig, {"vocab_size": 3})
    with pytest.raises(ValueError, match="valid cells"):
        Recurrent("elman", I, H)
