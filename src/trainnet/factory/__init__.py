"""Pipeline B's orchestration: the generate, validate and LoRA jobs the API sends (`jobs`), and re-sending those
whose worker died (`recovery`). The work itself lives in `generate`, `validation` and `lora`."""
