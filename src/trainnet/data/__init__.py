"""Uploaded data: parsing files into tables, turning tables into examples, and cutting them into shards."""
