"""Benchmarks for the quality bars of the brief: load, queries, pages, memory and growth.

``python -m benchmarks generate --rows N --output FILE`` writes a synthetic indicator file;
``python -m benchmarks [--sizes 1000000,10000000] [--runs 5] [--quick]`` measures every
figure and writes ``benchmarks/RESULTS.md``; ``python -m benchmarks profile --rows N``
profiles our load with pyinstrument (installed separately: it is not a project
dependency). Generated files and scratch warehouses go under ``benchmarks/output/``.
"""
