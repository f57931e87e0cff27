"""The hidden suites: pytest tests that grade a student through the sandbox proxy."""
