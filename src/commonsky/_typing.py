"""The numpy array aliases every module uses: one name for one array type.

``IntArray`` holds int64 values (ids, counts, times in integer units); ``IndexArray`` holds ``np.intp`` positions
into other arrays (what ``np.nonzero``, ``np.argsort`` and ``np.searchsorted`` return).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
IndexArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]
StrArray = NDArray[np.str_]
