"""Federated averaging: the pure average, the finalizer that runs it per round, and the coordinator that
tracks rounds and shards."""
