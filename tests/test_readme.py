"""The README's command table is the one `spacy project document` generates from
project.yml, so it cannot drift from the commands that exist."""
import subprocess
import sys

START = "<!-- WEASEL: AUTO-GENERATED DOCS START (do not remove) -->"
END = "<!-- WEASEL: AUTO-GENERATED DOCS END (do not remove) -->"


def block(text: str) -> str:
    return text[text.index(START) : text.index(END) + len(END)].strip()


def test_readme_command_table_is_current(root):
    generated = subprocess.run([sys.executable, "-m", "spacy", "project", "document", str(root)], capture_output=True, text=True, check=True).stdout
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert block(readme) == block(generated), "run: spacy project document . -o README.md"
