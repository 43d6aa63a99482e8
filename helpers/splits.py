"""Cross-validation splitters shared by the tuned models: one rule for when folds are grouped.

Every inner CV of the compendium shuffles with a fixed seed; when ``fit`` receives ``groups`` (e.g. the
complex a spin-splitting row belongs to), the folds keep each group whole so that no group is on both
sides of a split.
"""

from __future__ import annotations

from sklearn.model_selection import GroupKFold, KFold

__all__ = ["kfold"]


def kfold(n_splits: int, *, groups=None, random_state=0) -> KFold | GroupKFold:
    """Shuffled ``GroupKFold`` if ``groups`` is given (not None), else shuffled ``KFold``, seeded by
    ``random_state``. Pass the same ``groups`` to the splitter's ``split``."""
    if groups is not None:
        return GroupKFold(n_splits, shuffle=True, random_state=random_state)
    return KFold(n_splits, shuffle=True, random_state=random_state)
