"""Backpropagation through time for the LSTM, written out: the whole time loop as one autograd step.

Autograd records the LSTM's equations step by step (see :class:`core.models.rnn.LSTMCell`) and,
on the way back, runs one small node per operation per step, with the weight gradient
``dL/dW_hh`` summed from T small products. This module runs the same forward equations over all
T steps and writes the backward pass by hand, the way the fused kernels do:

Forward, for t = 1..T (A_t holds the four activations, stacked i, f, g, o as in PyTorch):

    A_t = [sigmoid, sigmoid, tanh, sigmoid](X_proj_t + W_hh h_{t-1})
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

Backward, for t = T..1, with dh_t = dL/dh_t from the layer above plus what step t+1 sends back,
and dc_t = what step t+1 sends back through the memory cell:

    dc_t   += dh_t * o_t * (1 - tanh(c_t)^2)
    dA_t    = [dc_t * g_t,  dc_t * c_{t-1},  dc_t * i_t,  dh_t * tanh(c_t)]     (i, f, g, o)
    dZ_t    = dA_t * A_t'   where sigmoid' = a (1 - a) and tanh' = 1 - a^2      (pre-activations)
    dh_{t-1} = dZ_t W_hh (+ dL/dh_{t-1} from the layer above)      dc_{t-1} = dc_t * f_t

and, once after the loop, one product over all steps for the recurrent weights:

    dL/dW_hh = sum_t dZ_t^T h_{t-1}        dL/dX_proj_t = dZ_t

Nothing is approximated: the tests compare it with autograd through the cell's equations, with
finite differences (``torch.autograd.gradcheck``, double precision) and with ``torch.nn.LSTM``.
What makes it fast on a CPU: about ten small operations per step back in time instead of
autograd's twenty nodes, the weight gradient as one large product that uses every core, and
every per-step view of the saved tensors made once (``unbind``) rather than indexed in the loop.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable


def _steps(X: Tensor, lo: int | None = None, hi: int | None = None) -> tuple[Tensor, ...]:
    """X (T, B, n) -> the T views X[t, :, lo:hi], made in one call (indexing from Python per step costs more)."""
    return X[..., lo:hi].unbind(0)


def _recurrent_weight_grad(dZ: Tensor, h0: Tensor, Hs: Tensor) -> Tensor:
    """dL/dW_hh = sum_t dZ_t^T h_{t-1}, for dZ (T, B, G) and the states h_0 (B, H), Hs (T, B, H):
    one product over all steps instead of T small ones, so it uses every core."""
    T, B, G = dZ.shape
    H_prev = torch.cat([h0.unsqueeze(0), Hs[:-1]])  # (T, B, H): h_{t-1} of every step
    return dZ.reshape(T * B, G).t().mm(H_prev.reshape(T * B, -1))


class LSTMScan(torch.autograd.Function):
    """The LSTM over all T steps: (X_proj (T, B, 4H), h_0, c_0 (B, H), W_hh (4H, H)) -> (h (T, B, H), h_T, c_T)."""

    @staticmethod
    def forward(
        ctx: Any, X_proj: Tensor, h0: Tensor, c0: Tensor, W_hh: Tensor
    ) -> tuple[Tensor, Tensor, Tensor]:
        T, B, G = X_proj.shape
        H = G // 4
        A = X_proj.new_empty(T, B, G)  # pre-activations, then gates i, f, o in place (g's block unused)
        Gc = X_proj.new_empty(T, B, H)  # candidate memories g_t = tanh(...), kept contiguous
        C = X_proj.new_empty(T, B, H)  # memory cells c_t
        TC = X_proj.new_empty(T, B, H)  # tanh(c_t)
        Hs = X_proj.new_empty(T, B, H)  # hidden states h_t
        W_t = W_hh.t()
        h, c = h0, c0
        steps = zip(
            _steps(X_proj), _steps(A), _steps(A, 0, 2 * H), _steps(A, 2 * H, 3 * H), _steps(A, 3 * H),
            _steps(A, 0, H), _steps(A, H, 2 * H), _steps(Gc), _steps(C), _steps(TC), _steps(Hs),
        )  # fmt: skip
        for x_t, a, i_f, z_g, o, i, f, g, c_t, tc, h_t in steps:
            torch.addmm(x_t, h, W_t, out=a)  # X_proj_t + W_hh h_{t-1}, all four gates
            i_f.sigmoid_()  # input and forget gates
            o.sigmoid_()  # output gate
            torch.tanh(z_g.contiguous(), out=g)  # candidate memory (tanh is fastest on contiguous memory)
            c = torch.mul(f, c, out=c_t).addcmul_(i, g)  # c_t = f * c_{t-1} + i * g
            h = torch.mul(o, torch.tanh(c, out=tc), out=h_t)  # h_t = o * tanh(c_t)
        ctx.save_for_backward(A, Gc, C, TC, Hs, h0, c0, W_hh)
        ctx.set_materialize_grads(False)  # an output the loss does not read sends None, not zeros
        return Hs, h.clone(), c.clone()

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, dHs: Tensor | None, dh_T: Tensor | None, dc_T: Tensor | None):  # noqa: ANN205
        A, Gc, C, TC, Hs, h0, c0, W_hh = ctx.saved_tensors
        T, B, G = A.shape
        H = G // 4
        one = h0.new_ones(B, H)
        dZ = A.new_empty(T, B, G)  # gradients of the pre-activations, every step
        dh = dh_T if dh_T is not None else h0.new_zeros(B, H)
        dc = dc_T if dc_T is not None else h0.new_zeros(B, H)
        # dL/dh_{t-1} from the layer above (or from the loss), added where step t sends its dh_{t-1}
        dH_before = (None, *_steps(dHs)[:-1]) if dHs is not None else (None,) * T
        if dHs is not None:
            dh = dh + dHs[T - 1]
        c_prev = (c0, *_steps(C)[:-1])
        steps = zip(
            _steps(A), _steps(A, 0, H), _steps(A, H, 2 * H), _steps(A, 3 * H), _steps(Gc), _steps(TC), c_prev,
            _steps(dZ), _steps(dZ, 0, H), _steps(dZ, H, 2 * H), _steps(dZ, 2 * H, 3 * H), _steps(dZ, 3 * H),
            dH_before,
        )  # fmt: skip
        for a, i, f, o, g, tc, c_before, z, z_i, z_f, z_g, z_o, dh_before in reversed(list(steps)):
            dc = dc.addcmul(dh * o, torch.addcmul(one, tc, tc, value=-1))  # through h_t = o tanh(c_t)
            torch.mul(dc, g, out=z_i)  # dL/di
            torch.mul(dc, c_before, out=z_f)  # dL/df
            torch.mul(dc, i, out=z_g)  # dL/dg
            torch.mul(dh, tc, out=z_o)  # dL/do
            # through the activations: sigmoid' = a (1 - a), and tanh' = 1 - g^2 for the candidate
            slope = torch.addcmul(a, a, a, value=-1)
            torch.addcmul(one, g, g, value=-1, out=slope[:, 2 * H : 3 * H])
            z.mul_(slope)
            dc = dc * f  # to c_{t-1}
            dh = torch.mm(z, W_hh) if dh_before is None else torch.addmm(dh_before, z, W_hh)  # to h_{t-1}
        return dZ, dh, dc, _recurrent_weight_grad(dZ, h0, Hs)


class GRUScan(torch.autograd.Function):
    """The GRU over all T steps: (X_proj (T, B, 3H), h_0 (B, H), W_hh (3H, H), b_hh (3H,)) -> (h (T, B, H), h_T).

    Forward, per step (gate blocks stacked r, z, n as in PyTorch; X_proj holds W_x* x_t + b_x*):

        U_t = W_hh h_{t-1} + b_hh                      the three recurrent terms
        r_t, z_t = sigmoid(X_proj_t + U_t)             (r and z blocks)
        n_t = tanh(X_proj_t,n + r_t * U_t,n)
        h_t = (1 - z_t) * n_t + z_t * h_{t-1}

    Backward, per step from t = T down to 1:

        dn = dh_t (1 - z_t),  dz = dh_t (h_{t-1} - n_t)
        dZ_n = dn (1 - n_t^2)                           (the n pre-activation = dL/dX_proj_t,n)
        dU_n = dZ_n * r_t,    dr = dZ_n * U_t,n
        dZ_r, dZ_z = dr * r_t (1 - r_t), dz * z_t (1 - z_t)
        dh_{t-1} = dU_t W_hh + dh_t z_t (+ dL/dh_{t-1} from the layer above)

    then dL/dW_hh = sum_t dU_t^T h_{t-1} and dL/db_hh = sum_t dU_t, with dU_t = [dZ_r, dZ_z, dU_n].
    """

    @staticmethod
    def forward(ctx: Any, X_proj: Tensor, h0: Tensor, W_hh: Tensor, b_hh: Tensor) -> tuple[Tensor, Tensor]:
        T, B, G = X_proj.shape
        H = G // 3
        U = X_proj.new_empty(T, B, G)  # recurrent terms W_hh h_{t-1} + b_hh
        RZ = X_proj.new_empty(T, B, 2 * H)  # reset and update gates
        N = X_proj.new_empty(T, B, H)  # candidates n_t
        Hs = X_proj.new_empty(T, B, H)  # hidden states h_t
        W_t = W_hh.t()
        h = h0
        steps = zip(
            _steps(X_proj, 0, 2 * H), _steps(X_proj, 2 * H), _steps(U), _steps(U, 0, 2 * H), _steps(U, 2 * H),
            _steps(RZ), _steps(RZ, 0, H), _steps(RZ, H), _steps(N), _steps(Hs),
        )  # fmt: skip
        for x_rz, x_n, u, u_rz, u_n, rz, r, z, n, h_t in steps:
            torch.addmm(b_hh, h, W_t, out=u)  # W_hh h_{t-1} + b_hh, all three blocks
            torch.add(x_rz, u_rz, out=rz).sigmoid_()  # reset and update gates
            torch.addcmul(x_n, r, u_n, out=n).tanh_()  # n_t = tanh(x_n + r * U_n)
            h = torch.lerp(n, h, z, out=h_t)  # h_t = (1 - z) n + z h_{t-1}
        ctx.save_for_backward(U, RZ, N, Hs, h0, W_hh)
        ctx.set_materialize_grads(False)  # as in LSTMScan
        return Hs, h.clone()

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, dHs: Tensor | None, dh_T: Tensor | None):  # noqa: ANN205
        U, RZ, N, Hs, h0, W_hh = ctx.saved_tensors
        T, B, G = U.shape
        H = G // 3
        one = h0.new_ones(B, H)
        dU = U.new_empty(T, B, G)  # gradients of the recurrent terms U_t
        dX = U.new_empty(T, B, G)  # gradients of X_proj_t
        dh = dh_T if dh_T is not None else h0.new_zeros(B, H)
        dH_before = (None, *_steps(dHs)[:-1]) if dHs is not None else (None,) * T  # as in LSTMScan
        if dHs is not None:
            dh = dh + dHs[T - 1]
        h_prev = (h0, *_steps(Hs)[:-1])
        steps = zip(
            _steps(U, 2 * H), _steps(RZ), _steps(RZ, 0, H), _steps(RZ, H), _steps(N), h_prev,
            _steps(dU), _steps(dU, 0, 2 * H), _steps(dU, 0, H), _steps(dU, H, 2 * H), _steps(dU, 2 * H),
            _steps(dX, 0, 2 * H), _steps(dX, 2 * H), dH_before,
        )  # fmt: skip
        for u_n, rz, r, z, n, h_before, du, du_rz, du_r, du_z, du_n, dx_rz, dx_n, dh_before in reversed(
            list(steps)
        ):
            dn = torch.addcmul(dh, dh, z, value=-1)  # dh (1 - z)
            torch.mul(dh, h_before - n, out=du_z)  # dL/dz
            torch.mul(dn, torch.addcmul(one, n, n, value=-1), out=dx_n)  # through tanh: dL/dX_proj,n
            torch.mul(dx_n, r, out=du_n)  # dL/dU_n
            torch.mul(dx_n, u_n, out=du_r)  # dL/dr
            du_rz.mul_(torch.addcmul(rz, rz, rz, value=-1))  # through the sigmoids
            dx_rz.copy_(du_rz)  # X_proj and U enter r and z the same way
            direct = dh * z if dh_before is None else torch.addcmul(dh_before, dh, z)  # h_t = ... + z h_{t-1}
            dh = torch.addmm(direct, du, W_hh)  # to h_{t-1}: through U, plus the direct path
        return dX, dh, _recurrent_weight_grad(dU, h0, Hs), dU.sum((0, 1))


def lstm_scan(X_proj: Tensor, h0: Tensor, c0: Tensor, W_hh: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Hidden states (T, B, H) and the final (h_T, c_T) of an LSTM layer; see :class:`LSTMScan`."""
    return LSTMScan.apply(X_proj, h0, c0, W_hh)


def gru_scan(X_proj: Tensor, h0: Tensor, W_hh: Tensor, b_hh: Tensor) -> tuple[Tensor, Tensor]:
    """Hidden states (T, B, H) and the final h_T of a GRU layer; see :class:`GRUScan`."""
    return GRUScan.apply(X_proj, h0, W_hh, b_hh)
