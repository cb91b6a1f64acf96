"""What both pipelines share to reach workers: the messages and queue names (`messages`), a `Dispatch` and its
sender (`sender`), the lease rules and job keys (`policy`), the live workers (`fleet`), and the sweeper loop that
asks each pipeline to repair its lost work (`sweeper`)."""
