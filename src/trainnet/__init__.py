"""TrainNet: train and fine-tune models without writing code, on one laptop or a fleet of workers."""

__version__ = "0.1.0"
