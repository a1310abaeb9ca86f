"""Deployment: the nginx template and its generator, the server command, and a harness that
runs the production stack as local processes (tests/deploy, bench/)."""
