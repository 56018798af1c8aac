"""Local provider servers that speak the Massive and Alpaca WebSocket protocols.

They play a recording (written from the providers' public docs) to the real clients on
loopback: the test suite's fixtures and ``tickstock feed-server`` use them, so a whole live
session runs without an account or a network.
"""
