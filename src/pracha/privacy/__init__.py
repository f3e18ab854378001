"""Privacy: the PDPA rights served by the platform (access and portability, rectification, erasure,
restriction, objection) with the law's deadlines, decided by the data-protection officer."""
