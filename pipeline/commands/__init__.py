"""One module per `profilex` command (see pipeline.cli)."""
