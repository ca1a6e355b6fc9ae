"""The steps that are pure computation: run in the page on the app's own modules, in well under a
second (nothing trains). Each takes ``tiny`` (smaller sizes for the tests) and returns an Outcome.
"""

from __future__ import annotations

import math

from playground.course.measure import bucket, num
from playground.course.model import Chart, Outcome

SENTENCE = "the cat sat on the mat"


def vanishing(tiny: bool) -> Outcome:
    """||dL/dh_t|| at initialisation for a vanilla RNN and an LSTM on the long-memory task."""
    from core.measures import memory_before
    from core.race import race_lanes

    lag = 10 if tiny else 50
    lanes = race_lanes(
        "long-memory", ["rnn", "lstm"], {"task.lag": lag, "task.n_train": 200}, budget_seconds=0
    )
    grads = {lane.name: memory_before(lane.model, lane.spec)["grad"] for lane in lanes}
    ratio = {name: g[0] / g[-1] if g[-1] else math.nan for name, g in grads.items()}
    rows = [
        {
            "course.col.model": name,
            "course.col.first_last": f"{r:.1e}",
            "course.col.steps": str(len(grads[name])),
        }
        for name, r in ratio.items()
    ]
    chart = Chart(
        "lines",
        {name: [max(v / g[-1], 1e-30) for v in g] for name, g in grads.items()},
        "course.axis.grad_rel",
        "course.axis.step_t",
        x=list(range(len(grads["rnn"]))),
        log_y=True,
    )
    return Outcome(
        bucket(ratio["rnn"], (1e-3, 0.3), ("tiny", "tenth", "about_1")),
        {"rnn": f"{ratio['rnn']:.1e}", "lstm": f"{ratio['lstm']:.1e}", "lag": str(lag)},
        rows,
        chart,
    )


def context_vector(tiny: bool) -> Outcome:
    """The size of the Seq2Seq encoder's context vector for the shortest and the longest sentence."""
    import torch

    from core.runspec import plan

    spec = plan("translation", "seq2seq", {"task.n_pairs": 200, "task.clauses": 2})
    torch.manual_seed(0)
    model = spec.build().eval()
    test = spec.data.splits["test"]
    lengths = test["src_mask"].sum(1)
    out: dict[str, tuple[int, int]] = {}
    for label, i in (("short", int(lengths.argmin())), ("long", int(lengths.argmax()))):
        with torch.no_grad():
            enc = model.encoder(test["src"][i : i + 1], test["src_mask"][i : i + 1])
        out[label] = (int(lengths[i]), int(enc.h[-1].shape[-1]))
    size = out["long"][1]
    rows = [
        {"course.col.words": str(n), "course.col.context": str(d)} for n, d in (out["short"], out["long"])
    ]
    return Outcome(
        float(size),
        {"size": str(size), "short": str(out["short"][0]), "long": str(out["long"][0])},
        rows,
    )


def stack(tiny: bool) -> Outcome:
    """Parameters of the paper's base Transformer (6 + 6 layers) and of the app's default (2 + 2)."""
    from core.runspec import plan
    from playground.planning import parameter_count

    base = parameter_count(plan("translation", "transformer", {"task.n_pairs": 200}, preset="paper-base"))
    small = parameter_count(plan("translation", "transformer", {"task.n_pairs": 200}))
    rows = [
        {"course.col.model": "paper-base · 6 + 6 · d_model 512", "course.col.params": f"{base:,}"},
        {"course.col.model": "2 + 2 · d_model 64", "course.col.params": f"{small:,}"},
    ]
    return Outcome(round(base / 1e6, 1), {"base": f"{base / 1e6:.1f}", "small": f"{small:,}"}, rows)


def _pipeline(tiny: bool) -> dict:
    from core.analysis import attention_pipeline

    return attention_pipeline(SENTENCE, d_model=512, d_k=64, n_heads=8, seed=0)


def qkv(tiny: bool) -> Outcome:
    p = _pipeline(tiny)
    rows = [
        {"course.col.name": name, "course.col.shape": " × ".join(str(d) for d in p[name].shape)}
        for name in ("X", "W_Q", "Q", "K", "V")
    ]
    return Outcome(float(p["Q"].shape[-1]), {"d_k": str(p["d_k"]), "heads": str(p["n_heads"])}, rows)


def dot(tiny: bool) -> Outcome:
    p = _pipeline(tiny)
    scores = p["scores"][0]  # (T, T) of head 1
    T = len(p["tokens"])
    rows = [
        {"course.col.name": name, "course.col.shape": " × ".join(str(d) for d in p[name][0].shape)}
        for name in ("Q", "K", "scores")
    ]
    return Outcome(float(scores.numel()), {"T": str(T), "n": str(scores.numel())}, rows)


def scale(tiny: bool) -> Outcome:
    """Softmax over 10 scores of random unit-variance queries and keys of size 64, with and without
    dividing by sqrt(64) = 8: how peaked the weights get and how much gradient the softmax passes."""
    import torch

    d_k, T, n = 64, 10, 200 if tiny else 2000
    g = torch.Generator().manual_seed(0)
    q = torch.randn(n, 1, d_k, generator=g)
    k = torch.randn(n, T, d_k, generator=g)
    raw = (q @ k.transpose(1, 2)).squeeze(1)  # (n, T)
    rows, measured = [], {}
    for label, s in (("raw", raw), ("scaled", raw / math.sqrt(d_k))):
        p = torch.softmax(s, dim=-1)  # (n, T)
        top = p.max(-1).values
        jac = torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)  # d softmax / d scores (n, T, T)
        grad = jac.flatten(1).norm(dim=-1).mean()
        measured[label] = float(top.mean())
        rows.append(
            {
                "course.col.name": "QKᵀ" if label == "raw" else "QKᵀ / √64",
                "course.col.score_std": num(float(s.std())),
                "course.col.top_weight": num(float(top.mean())),
                "course.col.saturated": f"{100 * float((top > 0.9).float().mean()):.0f} %",
                "course.col.softmax_grad": num(float(grad)),
            }
        )
    return Outcome(
        round(measured["raw"], 2),
        {"raw": f"{measured['raw']:.2f}", "scaled": f"{measured['scaled']:.2f}"},
        rows,
    )


def softmax_v(tiny: bool) -> Outcome:
    import torch

    p = _pipeline(tiny)
    T = len(p["tokens"])
    equal = float(torch.softmax(torch.zeros(T), 0)[0])
    weights, V, Z = p["weights"][0], p["V"][0], p["Z"][0]
    sums = weights.sum(-1)
    gap = float((weights @ V - Z).abs().max())
    rows = [
        {"course.col.word": word, "course.col.weight": f"{float(w):.3f}"}
        for word, w in zip(p["tokens"], weights[0])
    ]
    rows.append({"course.col.word": "Σ", "course.col.weight": f"{float(sums[0]):.3f}"})
    return Outcome(round(equal, 3), {"T": str(T), "equal": f"{equal:.3f}", "gap": f"{gap:.1e}"}, rows)


def multihead(tiny: bool) -> Outcome:
    from core.models.attention import MultiHeadAttention

    counts = {h: sum(p.numel() for p in MultiHeadAttention(512, h).parameters()) for h in (1, 8)}
    answer = "same" if counts[1] == counts[8] else ("more" if counts[8] > counts[1] else "fewer")
    rows = [
        {"course.col.heads": str(h), "course.col.d_k": str(512 // h), "course.col.params": f"{n:,}"}
        for h, n in counts.items()
    ]
    return Outcome(answer, {"params": f"{counts[8]:,}"}, rows)


def ffn(tiny: bool) -> Outcome:
    """Change the input at one position: how many positions of the output change, for the FFN and
    for self-attention."""
    import torch

    from core.models.attention import MultiHeadAttention
    from core.models.transformer import PositionwiseFFN

    torch.manual_seed(0)
    D, T = (64, 6) if tiny else (512, 6)
    f, attn = PositionwiseFFN(D, 4 * D).eval(), MultiHeadAttention(D, 8).eval()
    x = torch.randn(1, T, D)
    x2 = x.clone()
    x2[0, 2] += torch.randn(D)  # the third word changes
    with torch.no_grad():
        changed_ffn = int(((f(x) - f(x2)).abs().amax(-1) > 1e-6).sum())
        a1, a2 = attn(x, x, x, None)[0], attn(x2, x2, x2, None)[0]
        changed_attn = int(((a1 - a2).abs().amax(-1) > 1e-6).sum())
    rows = [
        {"course.col.name": "FFN", "course.col.changed": f"{changed_ffn} / {T}"},
        {"course.col.name": "self-attention", "course.col.changed": f"{changed_attn} / {T}"},
    ]
    return Outcome(
        float(changed_ffn), {"ffn": str(changed_ffn), "attn": str(changed_attn), "T": str(T)}, rows
    )


def residual(tiny: bool) -> Outcome:
    """The gradient that reaches the input of a stack of 24 layers (Linear + tanh), with and
    without the residual connection x + F(x), relative to the gradient at the output."""
    import torch
    from torch import nn

    depth, D = (8, 32) if tiny else (24, 64)
    torch.manual_seed(0)
    layers = nn.ModuleList(nn.Linear(D, D) for _ in range(depth))
    x0 = torch.randn(64, D)
    ratio = {}
    for label, skip in (("plain", False), ("residual", True)):
        x = x0.clone().requires_grad_(True)
        h = x
        for layer in layers:
            h = h + torch.tanh(layer(h)) if skip else torch.tanh(layer(h))
        h.retain_grad()
        loss = h.pow(2).sum()
        loss.backward()
        ratio[label] = float(x.grad.norm() / h.grad.norm())
    answer = "with" if ratio["residual"] > 1.5 * ratio["plain"] else "same"
    rows = [
        {"course.col.name": name, "course.col.input_output": f"{r:.1e}"}
        for name, r in (("F(x)", ratio["plain"]), ("x + F(x)", ratio["residual"]))
    ]
    return Outcome(
        answer,
        {"plain": f"{ratio['plain']:.1e}", "residual": f"{ratio['residual']:.1e}", "depth": str(depth)},
        rows,
    )


def add_norm(tiny: bool) -> Outcome:
    """LayerNorm(x + Sublayer(x)) of the app's Transformer on inputs of a large scale: the mean and
    spread of each position's vector before and after."""
    import torch

    from core.models.transformer import PositionwiseFFN, SublayerConnection

    torch.manual_seed(0)
    D = 64 if tiny else 512
    block, f = SublayerConnection(D, 0.0, "post").eval(), PositionwiseFFN(D, 4 * D).eval()
    x = 5 * torch.randn(1, 6, D) + 3
    with torch.no_grad():
        added = x + f(x)
        out = block(x, f)
    stats = {
        name: (float(v.mean(-1).abs().mean()), float(v.std(-1, unbiased=False).mean()))
        for name, v in (("x + F(x)", added), ("LayerNorm(x + F(x))", out))
    }
    rows = [
        {"course.col.name": name, "course.col.mean": f"{m:.3f}", "course.col.std": f"{s:.3f}"}
        for name, (m, s) in stats.items()
    ]
    after = stats["LayerNorm(x + F(x))"][1]
    return Outcome(round(after, 2), {"before": f"{stats['x + F(x)'][1]:.2f}", "after": f"{after:.2f}"}, rows)
