"""Mutation testing: break critical lines on purpose and check that a test notices.

``scripts/mutate`` runs it (see the README's development section). :mod:`.mutants` holds the
mutation operators for Python and POSIX sh, :mod:`.targets` the critical modules and the tests
that guard each, :mod:`.runner` the scratch copy, the runs and the report.
"""
