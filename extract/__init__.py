"""reform-extract: health-reform metrics from Chinese work reports."""

__version__ = "0.1.0"
EXTRACTOR_VERSION = f"reform-extract {__version__}"
