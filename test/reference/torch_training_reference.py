"""PyTorch reference for decaylab's optimizer and decay semantics.

Reads a JSON list of jobs on stdin (spec, initial params in nn.Linear layout, optimizer, decay, batches, per-step lr)
and prints, for each, the per-step losses and final parameters as JSON. Decay modes are expressed the way a PyTorch user
would write them, independently of decaylab's formulas:
  l2        -> lambda * sum ||theta||^2 added to the loss, gradients by autograd
  coupled   -> the optimizer's own weight_decay argument (SGD / Adam)
  decoupled -> torch.optim.AdamW for Adam; for SGD (no SGDW in torch) p.mul_(1 - lr * wd) before step()
"""
import json
import sys

import torch

torch.set_default_dtype(torch.float64)


def run(job):
    spec, opt, decay = job["spec"], job["optimizer"], job["decay"]
    sizes = [spec["inputSize"], *spec["hidden"], spec["classes"]]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for lin, p in zip(linears, job["params"]):
            lin.weight.copy_(torch.tensor(p["weight"]).reshape(lin.weight.shape))
            lin.bias.copy_(torch.tensor(p["bias"]))

    weights = [l.weight for l in linears]
    biases = [l.bias for l in linears]
    mode, coef, decay_biases = decay["mode"], decay["coefficient"], decay["decayBiases"]
    decayed = weights + (biases if decay_biases else [])
    undecayed = [] if decay_biases else biases
    wd_arg = coef if mode in ("coupled", "decoupled") else 0.0
    groups = [{"params": decayed, "weight_decay": wd_arg}, {"params": undecayed, "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    kind = opt["kind"]
    if kind == "sgd":
        # SGDW: torch has none, so its decay is applied by hand below and the optimizer sees weight_decay 0.
        if mode == "decoupled":
            for g in groups:
                g["weight_decay"] = 0.0
        optimizer = torch.optim.SGD(groups, lr=opt["lr"], momentum=opt["momentum"], dampening=opt["dampening"], nesterov=opt["nesterov"])
    elif mode == "decoupled":
        optimizer = torch.optim.AdamW(groups, lr=opt["lr"], betas=(opt["beta1"], opt["beta2"]), eps=opt["eps"])
    else:
        optimizer = torch.optim.Adam(groups, lr=opt["lr"], betas=(opt["beta1"], opt["beta2"]), eps=opt["eps"])

    losses = []
    for batch, lr in zip(job["batches"], job["lrs"]):
        for g in optimizer.param_groups:
            g["lr"] = lr
        x = torch.tensor(batch["x"]).reshape(-1, sizes[0])
        y = torch.tensor(batch["labels"], dtype=torch.long)
        optimizer.zero_grad()
        data_loss = torch.nn.functional.cross_entropy(model(x), y)
        loss = data_loss
        if mode == "l2" and coef != 0:
            loss = loss + coef * sum((p * p).sum() for p in decayed)
        loss.backward()
        losses.append(data_loss.item())
        if kind == "sgd" and mode == "decoupled":
            with torch.no_grad():
                for p in decayed:
                    p.mul_(1 - lr * coef)
        optimizer.step()

    return {
        "losses": losses,
        "params": [{"weight": l.weight.detach().flatten().tolist(), "bias": l.bias.detach().tolist()} for l in linears],
    }


# One process for many jobs: importing torch costs more than the jobs themselves.
print(json.dumps([run(job) for job in json.load(sys.stdin)]))
