#!/usr/bin/python3
"""Reference trajectories for convkit's AdamW, Nadam and Adamax and its cosine/polynomial learning-rate
schedules, computed with PyTorch (an implementation independent of Keras and of convkit).

The TypeScript tests (test/optimizers/new_optimizers.test.ts, test/optimizers/schedules.test.ts) compare
convkit with test/optimizers/golden/torch_optimizers.json, so `npm test` needs no Python. Regenerate after
changing a case (from the repository root):

    apt-get install -y python3-torch                      # Debian's PyTorch (1.13)
    /usr/bin/python3 scripts/golden/optimizer_golden.py   # writes test/optimizers/golden/torch_optimizers.json

Everything runs in float64 (torch.set_default_dtype, so NAdam's mu_product and the step counters are
float64 too). The gradients are a fixed sequence written into the file, so both sides see the same bits.

Keras and PyTorch compute the same functions only for some hyper-parameters; each case says which
Keras options it corresponds to and whether the two are expected to agree ("agree": true) or to differ
because of a real formula difference ("agree": false, with the reason). The differences:

- AdamW: PyTorch adds eps to the bias-corrected sqrt(v_hat); Keras adds it to sqrt(v) ("epsilon hat").
  Identical with eps = 0. The decoupled decay is the same: p <- p*(1 - lr*wd) before the update.
- Adamax: PyTorch stores u = max(beta2*u, |g| + eps); Keras stores u = max(beta2*u, |g|) and divides by
  u + eps. Identical with eps = 0.
- NAdam: PyTorch's schedule is mu_t = beta1*(1 - 0.5*0.96**(t*momentum_decay)); Keras's is
  0.96**t, so momentum_decay = 1 matches Keras (PyTorch's default 0.004 does not). Both add eps to the
  bias-corrected sqrt(v_hat). PyTorch 1.13's single-tensor path (foreach=False) multiplies mu into
  mu_product_next twice (fixed in pytorch/pytorch#92699, PyTorch 2.0); its foreach path is correct, so
  the agreeing cases use foreach=True.
- Schedules: CosineAnnealingWarmRestarts(T_0, T_mult, eta_min = alpha*lr) is Keras's
  CosineDecayRestarts(first_decay_steps=T_0, t_mul=T_mult, m_mul=1, alpha) (and, within its first
  period, CosineDecay(decay_steps=T_0, alpha)); PolynomialLR(total_iters, power) is Keras's
  PolynomialDecay(decay_steps=total_iters, end_learning_rate=0, power).
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)

OUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'optimizers', 'golden'))

INIT = [0.5, -1.25, 2.0, 0.0, -0.3, 1.1]
SHAPE = [2, 3]
STEPS = 25


def gradients():
    """Large first steps, then smaller mixed-sign ones (no exact zeros, so eps = 0 never divides 0 by 0)."""
    seq = []
    for t in range(STEPS):
        scale = 2.5 if t < 2 else 0.6
        seq.append([scale * math.sin(0.9 * t + 1.7 * i + 0.3) + 0.05 * (i - 3) for i in range(len(INIT))])
    return seq


def trajectory(make, grads):
    """The weights after every step of a torch optimizer on one [2, 3] parameter."""
    p = torch.tensor(INIT).reshape(SHAPE).requires_grad_(True)
    opt = make([p])
    out = []
    for g in grads:
        p.grad = torch.tensor(g).reshape(SHAPE)
        opt.step()
        out.append([float(v) for v in p.detach().reshape(-1)])
    return out


def optimizer_cases(grads):
    O = torch.optim
    cases = [
        ('adamw', {'learningRate': 0.01, 'weightDecay': 0.1, 'epsilon': 0}, True, 'eps = 0: the eps placement does not matter',
         lambda ps: O.AdamW(ps, lr=0.01, betas=(0.9, 0.999), eps=0.0, weight_decay=0.1)),
        ('adamw', {'learningRate': 0.02, 'weightDecay': 0.05, 'beta1': 0.8, 'beta2': 0.95, 'epsilon': 0, 'amsgrad': True}, True, 'eps = 0, amsgrad',
         lambda ps: O.AdamW(ps, lr=0.02, betas=(0.8, 0.95), eps=0.0, weight_decay=0.05, amsgrad=True)),
        ('adamw', {'learningRate': 0.01, 'weightDecay': 0.1, 'epsilon': 0.1}, False, 'eps = 0.1: torch adds eps to the bias-corrected root',
         lambda ps: O.AdamW(ps, lr=0.01, betas=(0.9, 0.999), eps=0.1, weight_decay=0.1)),
        ('adamax', {'learningRate': 0.02, 'epsilon': 0}, True, 'eps = 0: the eps placement does not matter',
         lambda ps: O.Adamax(ps, lr=0.02, betas=(0.9, 0.999), eps=0.0)),
        ('adamax', {'learningRate': 0.05, 'beta1': 0.8, 'beta2': 0.9, 'epsilon': 0}, True, 'eps = 0, other betas',
         lambda ps: O.Adamax(ps, lr=0.05, betas=(0.8, 0.9), eps=0.0)),
        ('adamax', {'learningRate': 0.02, 'epsilon': 0.1}, False, 'eps = 0.1: torch stores |g| + eps in the norm',
         lambda ps: O.Adamax(ps, lr=0.02, betas=(0.9, 0.999), eps=0.1)),
        ('nadam', {'learningRate': 0.01, 'epsilon': 1e-7}, True, 'momentum_decay = 1, foreach path; same eps placement',
         lambda ps: O.NAdam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-7, momentum_decay=1.0, foreach=True)),
        ('nadam', {'learningRate': 0.02, 'beta1': 0.8, 'beta2': 0.95, 'epsilon': 1e-3}, True, 'momentum_decay = 1, foreach path, other betas and eps',
         lambda ps: O.NAdam(ps, lr=0.02, betas=(0.8, 0.95), eps=1e-3, momentum_decay=1.0, foreach=True)),
        ('nadam', {'learningRate': 0.01, 'epsilon': 1e-7}, False, "torch 1.13's single-tensor path counts mu twice in mu_product_next",
         lambda ps: O.NAdam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-7, momentum_decay=1.0, foreach=False)),
        ('nadam', {'learningRate': 0.01, 'epsilon': 1e-7}, False, "torch's default momentum_decay 0.004 is another momentum schedule",
         lambda ps: O.NAdam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-7, foreach=True)),
    ]
    return [{'optimizer': kind, 'options': opts, 'agree': agree, 'why': why, 'trajectory': trajectory(make, grads)}
            for kind, opts, agree, why, make in cases]


def learning_rates(make_scheduler, base_lr, steps):
    """The learning rate torch uses for steps 0 .. steps-1 (0 = the first optimizer step)."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]['lr'])
        p.grad = torch.zeros(1)
        opt.step()
        sched.step()
    return out


def schedule_cases():
    S = torch.optim.lr_scheduler
    cases = [
        ('CosineDecayRestarts', {'initial_learning_rate': 0.1, 'first_decay_steps': 10, 't_mul': 1.0, 'm_mul': 1.0, 'alpha': 0.1}, 45,
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=1, eta_min=0.01)),
        ('CosineDecayRestarts', {'initial_learning_rate': 0.1, 'first_decay_steps': 10, 't_mul': 2.0, 'm_mul': 1.0, 'alpha': 0.0}, 80,
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=0.0)),
        ('CosineDecayRestarts', {'initial_learning_rate': 0.5, 'first_decay_steps': 4, 't_mul': 3.0, 'm_mul': 1.0, 'alpha': 0.2}, 60,
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=3, eta_min=0.1)),
        ('CosineDecay', {'initial_learning_rate': 0.1, 'decay_steps': 16, 'alpha': 0.25}, 16,
         lambda o: S.CosineAnnealingWarmRestarts(o, T_0=16, T_mult=1, eta_min=0.025)),
        ('PolynomialDecay', {'initial_learning_rate': 0.1, 'decay_steps': 20, 'end_learning_rate': 0.0, 'power': 2.0}, 30,
         lambda o: S.PolynomialLR(o, total_iters=20, power=2.0)),
        ('PolynomialDecay', {'initial_learning_rate': 0.3, 'decay_steps': 12, 'end_learning_rate': 0.0, 'power': 1.0}, 16,
         lambda o: S.PolynomialLR(o, total_iters=12, power=1.0)),
    ]
    return [{'class_name': name, 'config': config, 'lr': learning_rates(make, config['initial_learning_rate'], steps)}
            for name, config, steps, make in cases]


def main():
    os.makedirs(OUT, exist_ok=True)
    grads = gradients()
    doc = {
        'generator': 'scripts/golden/optimizer_golden.py',
        'versions': {'torch': torch.__version__},
        'init': INIT,
        'shape': SHAPE,
        'grads': grads,
        'optimizers': optimizer_cases(grads),
        'schedules': schedule_cases(),
    }
    path = os.path.join(OUT, 'torch_optimizers.json')
    with open(path, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    print(f'{path}: {len(doc["optimizers"])} optimizer cases, {len(doc["schedules"])} schedule cases, {os.path.getsize(path)} bytes')


if __name__ == '__main__':
    main()
