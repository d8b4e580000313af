"""The cross-engine browser flows (a package, so that its conftest does not take the
plain name `conftest` that tests/e2e/ imports from)."""
