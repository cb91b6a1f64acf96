"""The platform database: tables, sessions and migrations. The API and its sweeper write to it (LoRA workers keep
their Optuna study in it too)."""
