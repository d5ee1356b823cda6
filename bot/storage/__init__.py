"""Storage: every SQL statement of Pacer lives in this package."""
