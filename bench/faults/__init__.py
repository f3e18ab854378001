"""The parts of bench/faults.py: the deployment under test (deploy), the witness driver that keeps every
acknowledgement (witness), the faults themselves (inject) and the checks made after each (checks)."""
