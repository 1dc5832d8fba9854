"""What users run on top of the pipeline: prediction and the commitment ledger."""
