"""Where model weights come from and where they run, shared by both pipelines: local paths and Hugging Face ids
(`sources`), the training device (`device`), and causal language models for the factory's teacher and LoRA base
(`llm`). The classifiers of pipeline A are built in `training.model_zoo`."""
