"""Pipeline components and their model architectures and scorers."""
