"""The commitment ledger: who committed to what, for whom, by when, over many articles.

`rows` turns one predicted (or gold) canonical record into ledger rows, `deadlines`
normalises deadline expressions, `sources` streams inputs and records what cannot be read,
`engines` runs the pipeline locally or on a Dask cluster, `writers` writes CSV, JSONL,
Parquet or a readable HTML page (`html_page`).
"""
