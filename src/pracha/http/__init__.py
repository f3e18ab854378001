"""HTTP plumbing every capability uses: access rules, the app's typed state, rendering, middleware,
error pages. The foundation layer: it imports nothing from the capability packages."""
