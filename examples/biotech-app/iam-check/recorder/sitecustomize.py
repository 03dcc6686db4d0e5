"""Installs the AWS call recorder in every Python process started with this folder on PYTHONPATH."""

import os

if os.environ.get("AWS_CALL_LOG_DIR"):
    import aws_call_recorder

    aws_call_recorder.install()
