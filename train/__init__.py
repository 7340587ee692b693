"""Loss Lab's numpy training: torch.optim's optimizers, three small models, presets and races of runs.

Imports numpy, the standard library and :mod:`losses` only (never streamlit, plotly or torch).  Every refusal is a
:class:`losses.LossInputError`, translated by ui/text/errors.py like the losses' own.

Optimizers (:mod:`train.optim`): ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad`` take a list of float64
arrays and torch's keywords and defaults, and ``opt.step(grads)`` updates the arrays in place as torch.optim does::

    w = np.zeros(2); opt = train.optim.Adam([w], lr=0.1, amsgrad=True); opt.step([np.array([1.0, -1.0])])
    train.optim.make("sgd", [w], lr=-1)          # LossInputError: Invalid learning rate: -1
    train.optim.OPTIMIZERS["rmsprop"].OPTIONS    # Option(name, kind, default, low, high, high_open, ui_high)

Races (:mod:`train.presets`, :mod:`train.run`)::

    r = train.race("outliers")                       # the preset's default runs, steps and seed 0
    r = train.race("optimizers", [train.RunSpec("mse_loss", optimizer="adam", optimizer_options={"lr": 0.1})],
                   steps=300, seed=7)
    r = train.race("your_data", text="1,2\\n2,4.1\\n3,5.9")  # the learner's rows (x,y or x1,x2,label)
    run = r.runs[0]
    run.loss, run.grad_norm, run.metrics["inlier_mae"]   # one value per step 0..len(run.loss)-1
    run.params[0][t], run.params_at(t)                   # theta_t (before the update of step t)
    run.diverged_at                                      # None, or the step whose loss was NaN/inf
    r.predict(0, t, x_grid)                              # run 0's model at step t on any inputs
    r.loss_grid(0, w_values, b_values, step=t)           # a line model's loss over (w, b), for the contour

Presets: ``train.PRESETS`` ('outliers', 'long_tail', 'saturation', 'imbalance', 'multilabel', 'optimizers',
'your_data'); each gives ``dataset(seed, text)``, ``default_runs(data)``, ``losses(data)`` (the registry's losses that
can train on the data), ``model_names(data)``, ``steps``.  Limits: ``MAX_STEPS`` = 2000 steps, ``MAX_RUNS`` = 4
runs, ``train.data.MAX_ROWS`` pasted rows.
"""

from . import optim, schedules
from .data import MAX_ROWS, Dataset, parse_rows
from .models import HEADS, MAX_HIDDEN
from .presets import METRICS, PRESETS, Preset, Race, race, relative_error_per_decade
from .run import MAX_RUNS, MAX_STEPS, Run, RunSpec, train_run
from .tasks import usable_losses

__all__ = ["optim", "schedules", "Dataset", "parse_rows", "MAX_ROWS", "HEADS", "MAX_HIDDEN", "METRICS", "PRESETS",
           "Preset", "Race", "race", "relative_error_per_decade", "MAX_RUNS", "MAX_STEPS", "Run", "RunSpec",
           "train_run", "usable_losses"]
