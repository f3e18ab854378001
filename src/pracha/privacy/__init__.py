"""PDPA: the controller's accountability and the citizen's rights."""
