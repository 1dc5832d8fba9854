"""Train the pipeline with the chosen backbone: `phobert`, `cnn` or `auto`.

`auto` uses PhoBERT when its weights can be loaded here and otherwise trains the CNN,
saying so loudly. The backbone actually used is recorded in the trained pipeline's meta
(`meta["backbone"]`, and in its name) and in `<output>/backbone.json`.
"""
import argparse
import json
import os
import sys
from pathlib import Path
from typing import Dict, Optional

from wasabi import msg

CONFIGS = {"phobert": "configs/phobert.cfg", "cnn": "configs/cnn.cfg"}


def resolve_backbone(backbone: str, transformer: str) -> str:
    from ..components.phobert import weights_status

    if backbone not in ("auto", "phobert", "cnn"):
        raise SystemExit(f"unknown backbone {backbone!r}: choose phobert, cnn or auto")
    if backbone == "cnn":
        return "cnn"
    ok, how = weights_status(transformer)
    if ok:
        msg.good(f"PhoBERT backbone: {how}")
        return "phobert"
    if backbone == "phobert":
        msg.fail(
            f"--vars.backbone=phobert, but the PhoBERT weights cannot be loaded: {how}.",
            "Pass --vars.transformer=<local directory with the weights>, or use --vars.backbone=cnn (or auto).",
            exits=1,
        )
    bar = "!" * 78
    msg.warn(f"\n{bar}\nBACKBONE FALLBACK: {how}.\nTraining the offline CNN backbone instead of PhoBERT (backbone=auto).\n{bar}")
    return "cnn"


def wandb_overrides(project: str, output: Path) -> Dict[str, object]:
    from ..extras import require

    os.environ.setdefault("WANDB_MODE", "offline")
    os.environ.setdefault("WANDB_SILENT", "true")
    os.environ.setdefault("WANDB_DIR", str(output))
    require("wandb")
    return {
        "training.logger": {
            "@loggers": "spacy.WandbLogger.v5",
            "project_name": project,
            "remove_config_values": ["paths.train", "paths.dev"],
            "log_best_dir": str(output / "model-best"),
            "model_log_interval": None,
            "log_dataset_dir": None,
            "log_latest_dir": None,
            "entity": None,
            "run_name": None,
            "log_custom_stats": None,
        }
    }


def stamp_meta(model_dir: Path, backbone: str, transformer: Optional[str]) -> None:
    meta_path = model_dir / "meta.json"
    if not meta_path.exists():
        return
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["name"] = f"officials_{backbone}"
    meta["backbone"] = backbone
    if backbone == "phobert":
        meta["transformer"] = transformer
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def train(
    output: Path,
    backbone: str = "auto",
    transformer: str = "vinai/phobert-base",
    train_path: Path = Path("corpus/train.spacy"),
    dev_path: Path = Path("corpus/dev.spacy"),
    seed: int = 0,
    use_wandb: bool = False,
    wandb_project: str = "vi-officials",
    overrides: Optional[Dict[str, object]] = None,
    config: Optional[Path] = None,
) -> str:
    """Train and return the backbone used."""
    from spacy.cli.train import train as spacy_train

    import vi_officials  # noqa: F401  (registers the components)

    used = resolve_backbone(backbone, transformer)
    config = config or Path(CONFIGS[used])
    settings: Dict[str, object] = {"paths.train": str(train_path), "paths.dev": str(dev_path), "system.seed": seed}
    if used == "phobert":
        settings["paths.transformer"] = transformer
    if use_wandb:
        settings.update(wandb_overrides(wandb_project, Path(output)))
    settings.update(overrides or {})
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    msg.info(f"Training the {used} backbone with {config} (seed {seed})")
    spacy_train(config, output, overrides=settings)
    for sub in ("model-best", "model-last"):
        stamp_meta(output / sub, used, transformer)
    (output / "backbone.json").write_text(json.dumps({"backbone": used, "transformer": transformer if used == "phobert" else None, "seed": seed}), encoding="utf-8")
    return used


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("training"))
    parser.add_argument("--backbone", default="auto", choices=["auto", "phobert", "cnn"])
    parser.add_argument("--transformer", default="vinai/phobert-base", help="Hub id or local directory of the PhoBERT weights")
    parser.add_argument("--train", type=Path, default=Path("corpus/train.spacy"))
    parser.add_argument("--dev", type=Path, default=Path("corpus/dev.spacy"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--wandb", default="false", help="true: log to Weights & Biases (offline mode unless WANDB_MODE says otherwise)")
    parser.add_argument("--wandb-project", default="vi-officials")
    parser.add_argument("--max-epochs", type=int, default=None)
    args = parser.parse_args(argv)
    overrides = {"training.max_epochs": args.max_epochs} if args.max_epochs else {}
    train(args.output, args.backbone, args.transformer, args.train, args.dev, args.seed, str(args.wandb).lower() in ("1", "true", "yes"), args.wandb_project, overrides)
    return 0


if __name__ == "__main__":
    sys.exit(main())
