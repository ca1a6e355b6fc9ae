"""The course: the concepts of the notes in their order, one experiment each.

Settings are chosen so that each training experiment ends in well under 30 s on one core of a
2-core CPU (measured times in the comments, one torch thread as the workers train); ``tiny``
settings make every one of them a second or two for the tests.
"""

from __future__ import annotations

from playground.course import compute
from playground.course import measure as m
from playground.course.model import Choice, Computed, Lane, Number, Step, Trained

YES_NO = Choice(("yes", "no"))
STOP = {"train.stop_at_target": True}
MEMORY_TINY = {"task.lag": 5, "task.n_train": 200, "train.epochs": 1}

STEPS: tuple[Step, ...] = (
    # ---- 1. recurrent networks
    Step(
        "rnn",
        Choice(("chance", "partly", "learns")),
        Trained(
            "word-order", (Lane("rnn", "rnn", STOP),), m.read_rnn, {"task.n_train": 200, "train.epochs": 1}
        ),
        r"h_t = \tanh(W_{xh}\,x_t + W_{hh}\,h_{t-1} + b)",
        concept="rnn",
        link=("word_order", {"word_order.arch": "rnn"}),
        look="course.look.unrolled",
    ),  # 0.1 s
    Step(
        "one_to_many",
        Choice(("under10", "10to50", "over50")),
        Trained(
            "captioning",
            (Lane("captioner", "captioner", {"task.n_images": 2000, "train.epochs": 8, **STOP}),),
            m.read_captions,
            {"task.n_images": 200, "train.epochs": 1, "model.hidden_size": 16},
        ),
        r"h_0 = \mathrm{CNN}(\text{image}),\quad y_t = \mathrm{softmax}(W_{hy}\,h_t)",
        concept="one_to_many",
        link=("captioning", {}),
    ),  # 6.1 s
    Step(
        "many_to_one",
        Choice(("majority", "between", "above_tfidf")),
        Trained(
            "sentiment",
            (Lane("rnn", "rnn", STOP),),
            m.read_sentiment,
            {
                "task.max_len": 12,
                "task.max_vocab": 1024,
                "model.hidden_size": 16,
                "model.embed_dim": 16,
                "train.epochs": 1,
            },
        ),
        r"\hat{y} = \mathrm{softmax}(W_{hy}\,h_T)",
        concept="many_to_one",
        link=("sentiment", {"sentiment.arch": "rnn"}),
    ),  # 5.2 s + 1.6 s data
    Step(
        "many_to_many",
        Choice(("under50", "50to90", "over90")),
        Trained(
            "translation",
            (Lane("seq2seq", "seq2seq", STOP),),
            m.read_translation,
            {"task.n_pairs": 256, "model.hidden_size": 16, "model.embed_dim": 16, "train.epochs": 1},
        ),
        r"(x_1, \dots, x_S) \;\longrightarrow\; (y_1, \dots, y_T)",
        concept="many_to_many",
        link=("translation", {"translation.arch": "seq2seq"}),
        look="course.look.streams",
    ),  # 8.0 s
    Step(
        "birnn",
        YES_NO,
        Trained(
            "long-memory",
            (
                Lane("rnn", "rnn", {"task.lag": 50, "train.epochs": 6, **STOP}),
                Lane(
                    "bidirectional",
                    "rnn",
                    {"task.lag": 50, "train.epochs": 6, "model.bidirectional": True, **STOP},
                ),
            ),
            m.read_birnn,
            MEMORY_TINY,
        ),
        r"h_t = [\,\overrightarrow{h}_t\,;\,\overleftarrow{h}_t\,]",
        concept="birnn",
        link=("long_memory", {"long_memory.arch": "rnn", "long_memory.model.bidirectional": "true"}),
        look="course.look.birnn",
    ),  # 1.5 s + 0.5 s
    # ---- 2. memory: vanishing gradients, LSTM, GRU
    Step(
        "vanishing",
        Choice(("about_1", "tenth", "tiny")),
        Computed(compute.vanishing),
        r"\frac{\partial L}{\partial h_t} = \frac{\partial L}{\partial h_T}\prod_{k=t+1}^{T}"
        r"\frac{\partial h_k}{\partial h_{k-1}}",
        link=("memory", {"memory.lag": "50"}),
    ),
    Step(
        "rnn_memory",
        YES_NO,
        Trained(
            "long-memory",
            (Lane("rnn", "rnn", {"task.lag": 50, **STOP}),),
            m.read_rnn_memory,
            MEMORY_TINY,
            measure="memory",
        ),
        link=("long_memory", {"long_memory.arch": "rnn"}),
    ),  # 2.0 s
    Step(
        "lstm",
        Choice(("chance", "partly", "recalls")),
        Trained(
            "long-memory",
            (Lane("rnn", "rnn", {"task.lag": 50, **STOP}), Lane("lstm", "lstm", {"task.lag": 50, **STOP})),
            m.read_lstm,
            MEMORY_TINY,
            measure="memory",
        ),
        r"\begin{aligned} f_t &= \sigma(W_f[h_{t-1}, x_t] + b_f),\; i_t = \sigma(W_i[h_{t-1}, x_t] + b_i),\;"
        r" o_t = \sigma(W_o[h_{t-1}, x_t] + b_o) \\ C_t &= f_t \odot C_{t-1} + i_t \odot"
        r" \tanh(W_C[h_{t-1}, x_t] + b_C),\quad h_t = o_t \odot \tanh(C_t) \end{aligned}",
        concept="lstm",
        link=("memory", {"memory.lag": "50"}),
    ),  # 2.0 s + 6.5 s
    Step(
        "gru",
        Choice(("lstm", "same", "gru")),
        Trained(
            "long-memory",
            tuple(
                Lane(
                    name,
                    arch,
                    {
                        "task.lag": 50,
                        "task.n_train": 2000,
                        "model.hidden_size": 128,
                        "train.epochs": 1,
                        **own,
                    },
                )
                for name, arch, own in (
                    ("lstm", "lstm", {}),
                    ("gru", "gru", {}),
                    ("lstm explicit", "lstm", {"model.explicit": True}),
                    ("gru explicit", "gru", {"model.explicit": True}),
                )
            ),
            m.read_gru,
            {**MEMORY_TINY, "task.n_train": 400},
        ),
        r"\begin{aligned} z_t &= \sigma(W_z[h_{t-1}, x_t]),\quad r_t = \sigma(W_r[h_{t-1}, x_t]) \\"
        r" h_t &= (1 - z_t) \odot h_{t-1} + z_t \odot \tanh(W[r_t \odot h_{t-1}, x_t]) \end{aligned}",
        concept="gru",
        link=("compare", {"compare.task": "long-memory"}),
    ),  # 1.9 + 1.4 + 1.2 + 0.9 s
    # ---- 3. Seq2Seq
    Step(
        "seq2seq",
        Number(8, 1024, 64, step=8, tolerance=0.01, unit="numbers"),
        Computed(compute.context_vector),
        r"c = h^{\mathrm{enc}}_S,\qquad s_0 = c,\qquad y_t = \mathrm{Decoder}(y_{t-1}, s_{t-1})",
        concept="seq2seq",
        link=("translation", {"translation.arch": "seq2seq"}),
        look="course.look.context",
    ),
    Step(
        "context",
        Choice(("without", "same", "with")),
        Trained(
            "translation",
            tuple(
                Lane(
                    arch,
                    arch,
                    {
                        "task.clauses": 2,
                        "task.n_pairs": 1000,
                        "model.hidden_size": 64,
                        "model.embed_dim": 64,
                        "train.epochs": 10,
                    },
                )
                for arch in ("seq2seq", "seq2seq-attn")
            ),
            m.read_context,
            {"task.n_pairs": 256, "model.hidden_size": 16, "model.embed_dim": 16, "train.epochs": 1},
        ),
        link=("translation", {"translation.arch": "seq2seq", "translation.task.clauses": "2"}),
        look="course.look.context_attn",
    ),  # 3.2 s + 7.0 s
    # ---- 4. attention
    Step(
        "attention",
        Choice(("seq2seq", "attn", "neither")),
        Trained(
            "translation",
            (Lane("seq2seq", "seq2seq", STOP), Lane("seq2seq-attn", "seq2seq-attn", STOP)),
            m.read_attention,
            {"task.n_pairs": 256, "model.hidden_size": 16, "model.embed_dim": 16, "train.epochs": 1},
        ),
        r"\alpha_{t,i} = \mathrm{softmax}_i\big(\mathrm{score}(q_t, k_i)\big),\qquad"
        r" \mathrm{Attention}(q_t, K, V) = \sum_i \alpha_{t,i}\, v_i",
        concept="attention",
        link=("decoding", {}),
    ),  # 8.0 s + 4.0 s
    # ---- 5. the Transformer
    Step(
        "transformer",
        Choice(("seq2seq", "same", "transformer")),
        Trained(
            "translation",
            (Lane("seq2seq-attn", "seq2seq-attn", STOP), Lane("transformer", "transformer", STOP)),
            m.read_transformer,
            {
                "task.n_pairs": 256,
                "model.hidden_size": 16,
                "model.embed_dim": 16,
                "model.d_model": 16,
                "model.d_ff": 32,
                "train.epochs": 1,
            },
        ),  # fmt: skip
        concept="transformer",
        link=("translation", {"translation.arch": "transformer"}),
    ),  # 4.0 s + 9.9 s
    Step(
        "parallel",
        Number(0.1, 20, 2, step=0.1, tolerance=0.3, unit="times"),
        Trained(
            "long-memory",
            tuple(
                Lane(
                    f"{name} · T={lag + 2}",
                    arch,
                    {"task.lag": lag, "task.n_train": 1000, "train.epochs": 1},
                    {"task.lag": small},
                )
                for lag, small in ((10, 3), (200, 20))
                for name, arch in (("lstm", "lstm"), ("transformer", "transformer-encoder"))
            ),
            m.read_parallel,
            {"task.n_train": 200},
        ),  # fmt: skip
        link=("compare", {"compare.task": "long-memory"}),
    ),  # 0.1 + 0.1 + 4.8 + 3.3 s
    Step(
        "stack",
        Number(1, 500, 10, step=1, tolerance=0.25, unit="millions"),
        Computed(compute.stack),
        r"\mathrm{Encoder} = \underbrace{\mathrm{Layer} \circ \dots \circ \mathrm{Layer}}_{N = 6},\quad"
        r" \mathrm{Decoder} = \underbrace{\mathrm{Layer} \circ \dots \circ \mathrm{Layer}}_{N = 6}",
        link=("translation", {"translation.arch": "transformer"}),
    ),
    Step(
        "positional",
        YES_NO,
        Trained(
            "word-order",
            tuple(
                Lane(kind, "transformer-encoder", {"model.pos_encoding": kind, **STOP})
                for kind in ("sinusoidal", "none")
            ),
            m.read_positional,
            {"task.n_train": 200, "train.epochs": 1},
        ),
        r"PE_{(pos,\,2i)} = \sin\!\big(pos / 10000^{2i/d_{model}}\big),\quad"
        r" PE_{(pos,\,2i+1)} = \cos\!\big(pos / 10000^{2i/d_{model}}\big)",
        concept="positional",
        link=("positional", {}),
    ),  # 0.2 s + 1.0 s
    # ---- 6. multi-head self-attention, step by step
    Step(
        "qkv",
        Number(1, 512, 512, step=1, tolerance=0.01, unit="dims"),
        Computed(compute.qkv),
        r"Q = X W^Q,\quad K = X W^K,\quad V = X W^V,\qquad X \in \mathbb{R}^{T \times 512},\;"
        r" W^Q, W^K, W^V \in \mathbb{R}^{512 \times 64}",
        link=("attention_steps", {}),
    ),
    Step(
        "dot",
        Number(1, 1000, 6, step=1, tolerance=0.01, unit="scores"),
        Computed(compute.dot),
        r"S = Q K^{\top},\qquad S_{ij} = q_i \cdot k_j",
        link=("attention_steps", {}),
    ),
    Step(
        "scale",
        Number(0.0, 1.0, 0.5, step=0.05, tolerance=0.15),
        Computed(compute.scale),
        r"\frac{Q K^{\top}}{\sqrt{d_k}} = \frac{Q K^{\top}}{\sqrt{64}} = \frac{Q K^{\top}}{8}",
        link=("attention_steps", {}),
    ),
    Step(
        "softmax_v",
        Number(0.0, 1.0, 0.5, step=0.01, tolerance=0.1),
        Computed(compute.softmax_v),
        r"Z = \mathrm{softmax}\!\left(\frac{Q K^{\top}}{\sqrt{d_k}}\right) V",
        link=("attention_steps", {}),
    ),
    Step(
        "multihead",
        Choice(("more", "same", "fewer")),
        Computed(compute.multihead),
        r"\mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}(\mathrm{head}_1, \dots, \mathrm{head}_8)\, W^O,"
        r"\quad \mathrm{head}_i = \mathrm{Attention}(X W^Q_i, X W^K_i, X W^V_i)",
        concept="multihead",
        link=("attention_steps", {}),
    ),
    Step(
        "ffn",
        Number(0, 6, 3, step=1, tolerance=0.01, unit="positions"),
        Computed(compute.ffn),
        r"\mathrm{FFN}(x) = \max(0,\; x W_1 + b_1)\, W_2 + b_2",
        concept="ffn",
        link=("attention_steps", {}),
        look="course.look.ffn",
    ),
    Step(
        "residual",
        Choice(("with", "same")),
        Computed(compute.residual),
        r"x_{l+1} = x_l + F(x_l),\qquad \frac{\partial x_{l+1}}{\partial x_l} = I + \frac{\partial F}{\partial x_l}",
        concept="residual",
        link=("attention_steps", {}),
        look="course.look.residual",
    ),
    Step(
        "add_norm",
        Number(0.0, 10.0, 1.0, step=0.1, tolerance=0.1),
        Computed(compute.add_norm),
        r"\mathrm{LayerNorm}\big(x + \mathrm{Sublayer}(x)\big),\quad \mathrm{LayerNorm}(v) ="
        r" \gamma \odot \frac{v - \mu}{\sigma} + \beta",
        link=("attention_steps", {}),
        look="course.look.add_norm",
    ),
)

KEYS = tuple(s.key for s in STEPS)


def number_of(key: str) -> int:
    """The 1-based number of the step ``key`` (what ``?step=`` holds)."""
    return KEYS.index(key) + 1


def step_for_concept(concept: str) -> int | None:
    """The number of the step that teaches a concept of the home page's map, if one does."""
    return next((i + 1 for i, s in enumerate(STEPS) if s.concept == concept), None)
