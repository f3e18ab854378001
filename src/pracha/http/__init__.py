"""HTTP plumbing every capability stands on (foundation: imports nothing from the capability packages)."""
