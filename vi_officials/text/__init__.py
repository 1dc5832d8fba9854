"""Vietnamese text: syllables, sentences, canonical spelling, words (the tokenizer and pyvi)."""
