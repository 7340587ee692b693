"""torch re-implementations of the losses torch.nn.functional lacks.

Each is written from its source (named in the docstring) with plain torch ops,
so autograd supplies the reference gradient.  Family authors add theirs here.
"""
