"""Fake provider servers (real HTTP on 127.0.0.1) and the test process's network jail."""
