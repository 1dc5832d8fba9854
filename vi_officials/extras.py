"""Optional dependencies: imported where they are used, with a one-line error naming the
extra that installs them (`pip install "vi-officials[dask]"`).

The core install holds what prediction, the ledger and the one-call API need (spaCy,
pyvi, pandas, tqdm). The extras, declared in pyproject.toml: `transformer` (run a PhoBERT
pipeline), `train` (training, packaging, plots, the Hugging Face dataset, wandb),
`baselines` (underthesea), `dask`, `parquet`; `test` pulls all of them.
"""
import importlib
from types import ModuleType
from typing import Optional

# top-level module -> the extra that installs it
EXTRAS = {
    "torch": "transformer", "transformers": "transformer", "spacy_transformers": "transformer",
    "datasets": "train", "wandb": "train", "matplotlib": "train", "build": "train",
    "underthesea": "baselines",
    "dask": "dask", "distributed": "dask",
    "pyarrow": "parquet",
}


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message says which extra installs it."""


def missing_extra(err: ImportError) -> Optional[MissingExtraError]:
    """The one-line error for a ModuleNotFoundError of an optional dependency, else None."""
    if isinstance(err, MissingExtraError):
        return err
    top = (getattr(err, "name", None) or "").split(".")[0]
    if not isinstance(err, ModuleNotFoundError) or top not in EXTRAS:
        return None
    return MissingExtraError(f"the optional package {top!r} is not installed: pip install \"vi-officials[{EXTRAS[top]}]\"")


def require(module: str) -> ModuleType:
    """Import `module`, or raise MissingExtraError naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        error = missing_extra(err)
        if error is None:
            raise
        raise error from None
