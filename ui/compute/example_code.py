"""The code each example card shows: today's PyTorch for the notes' call (what a learner would type now)."""

from __future__ import annotations

from ui.compute.example_cards import SIGMOID_SEED

_PAIR_CODE = """import torch
from torch import nn

sample = torch.ones(2, 2)
target = torch.tensor([[0., 1.], [2., 3.]])
loss = nn.{cls}()(sample, target)"""

CODE = {
    "l1": _PAIR_CODE.format(cls="L1Loss"),
    "smooth_l1": _PAIR_CODE.format(cls="SmoothL1Loss"),
    "mse": _PAIR_CODE.format(cls="MSELoss"),
    "bce": _PAIR_CODE.format(cls="BCELoss"),
    "bce_valid": """import torch
from torch import nn

probabilities = torch.tensor([[0.9, 0.2], [0.6, 0.3]])
labels = torch.tensor([[1., 0.], [1., 0.]])
loss = nn.BCELoss()(probabilities, labels)""",
    "cross_entropy": _PAIR_CODE.format(cls="CrossEntropyLoss"),
    "ce_index": """logits = torch.ones(2, 2)
classes = torch.tensor([0, 1])
loss = nn.CrossEntropyLoss()(logits, classes)""",
    "nll": _PAIR_CODE.format(cls="NLLLoss"),
    "nll_correct": """import torch
import torch.nn.functional as F

logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 1.5, 0.3]])
log_probs = F.log_softmax(logits, dim=1)
classes = torch.tensor([0, 1])
loss = F.nll_loss(log_probs, classes)
same = F.cross_entropy(logits, classes)""",
    "nll2d": _PAIR_CODE.format(cls="NLLLoss2d"),
    "nll2d_working": """import torch
from torch import nn

scores = torch.randn(1, 3, 4, 6)
log_probs = scores.log_softmax(dim=1)
classes = torch.randint(0, 3, (1, 4, 6))
per_pixel = nn.NLLLoss(reduction="none")(log_probs, classes)
loss = nn.NLLLoss()(log_probs, classes)""",
    "criterion": """import torch
from torch import nn

sample = torch.ones(2, 2)
target = torch.tensor([[0., 1.], [2., 3.]])
for reduction in ("none", "mean", "sum"):
    criterion = nn.L1Loss(reduction=reduction)
    loss = criterion(sample, target)""",
    "sigmoid_bce": f"""import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng({SIGMOID_SEED})
logits = torch.tensor(rng.normal(size=(3, 2)).round(2), requires_grad=True)
target = torch.tensor(rng.integers(0, 2, size=(3, 2)), dtype=torch.float64)

loss = F.binary_cross_entropy(torch.sigmoid(logits), target)
loss.backward()

fused = F.binary_cross_entropy_with_logits(logits, target)""",
    "tensorflow": """import torch
import torch.nn.functional as F

logits = torch.tensor([[2.0, -1.0, 0.5, -2.0], [0.3, 1.2, -0.4, 0.8]])

labels = torch.tensor([[1., 0., 1., 0.], [0., 1., 0., 1.]])
multi_label = F.binary_cross_entropy_with_logits(logits, labels)

classes = torch.tensor([0, 1])
multi_class = F.cross_entropy(logits, classes)""",
}
