"""The `trainnet` command: its commands (`app`), the `train` client (`train`), and the embedded supervisor that
`trainnet serve` runs its workers and sweeper with (`embedded`)."""

from trainnet.cli.app import app

__all__ = ["app"]
