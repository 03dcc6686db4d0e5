"""FastAPI service of the cdk-proteomics-platform reference deployment."""

__version__ = "0.1.0"
