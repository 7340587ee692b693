"""numpy mirrors of ``torch.nn.functional``'s losses and activations, plus the notes' own losses.

Same positional order, keyword names and defaults as torch 2.13 (without the
deprecated ``size_average``/``reduce``); numpy arrays in, a numpy array out.
"""

from .activations import *  # noqa: F401,F403
from .binary import *  # noqa: F401,F403
from .classification import *  # noqa: F401,F403
from .distribution import *  # noqa: F401,F403
from .ranking import *  # noqa: F401,F403
from .regression import *  # noqa: F401,F403
from .segmentation import *  # noqa: F401,F403
from .sequence import *  # noqa: F401,F403
