"""Training and packaging the pipeline."""
